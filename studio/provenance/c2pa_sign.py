"""studio.provenance: C2PA manifests. Signs an export with c2pa-python (a `c2pa.created`
action, digitalSourceType trainedAlgorithmicMedia, the generator and the content id) and
reads a file's manifest back.

The signing credentials: a local CA and an end-entity certificate (EC P-256, digitalSignature,
EKU emailProtection) made with `cryptography` on first use under SHOTLINE_HOME/c2pa/ (never
committed). A company points SHOTLINE_C2PA_CERT (PEM chain, end-entity first) and
SHOTLINE_C2PA_KEY (PEM private key) at its own, and SHOTLINE_C2PA_ALG (default es256).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def _credential_dir() -> Path:
    from studio.paths import home

    path = home() / "c2pa"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _make_local_credentials(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Shotline local"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "Shotline local C2PA CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Shotline local"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Shotline export signer")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    key_path = folder / "signer.key"
    key_path.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    (folder / "chain.pem").write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))


def credentials() -> tuple[bytes, bytes, str]:
    """(certificate chain PEM, private key PEM, algorithm), made locally on first use."""
    cert_env, key_env = os.environ.get("SHOTLINE_C2PA_CERT"), os.environ.get("SHOTLINE_C2PA_KEY")
    alg = os.environ.get("SHOTLINE_C2PA_ALG", "es256")
    if cert_env or key_env:
        if not (cert_env and key_env):
            raise ValueError("SHOTLINE_C2PA_CERT and SHOTLINE_C2PA_KEY must be set together (a PEM chain and its key).")
        return Path(cert_env).read_bytes(), Path(key_env).read_bytes(), alg
    folder = _credential_dir()
    if not (folder / "chain.pem").exists() or not (folder / "signer.key").exists():
        _make_local_credentials(folder)
    return (folder / "chain.pem").read_bytes(), (folder / "signer.key").read_bytes(), alg


def trust_anchors() -> str | None:
    """PEM of the CA(s) this installation trusts: the local CA, plus SHOTLINE_C2PA_TRUST if set."""
    pems = []
    local = _credential_dir() / "ca.pem"
    if local.exists():
        pems.append(local.read_text())
    extra = os.environ.get("SHOTLINE_C2PA_TRUST")
    if extra and Path(extra).is_file():
        pems.append(Path(extra).read_text())
    return "".join(pems) or None


def manifest_definition(content_id: str, model: str, title: str, voice: str = "") -> dict:
    """`voice`: the synthetic voice engines of the sound track ("" for none), named in the
    action's description and the export assertion."""
    from studio.provenance.label import PRODUCER, voice_note

    spoken = f"; {voice_note(voice)}" if voice else ""
    export = {"content_id": content_id, "model": model or "unknown", "generator": PRODUCER}
    if voice:
        export["synthetic_voice"] = voice
    return {
        "claim_generator_info": [{"name": PRODUCER, "version": "0.1.0"}],
        "title": title,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [{
                "action": "c2pa.created", "digitalSourceType": TRAINED,
                "softwareAgent": {"name": PRODUCER, "version": "0.1.0"},
                "parameters": {"description": f"generated by {model or 'a text-to-video model'}; content_id={content_id}{spoken}"},
            }]}},
            {"label": "org.shotline.export", "data": export},
        ],
    }


def sign(source: Path, dest: Path, content_id: str, model: str, voice: str = "") -> None:
    """Write `dest`: `source` with an embedded, signed C2PA manifest."""
    import c2pa

    chain, key, alg = credentials()
    info = c2pa.C2paSignerInfo(alg=alg.encode(), sign_cert=chain, private_key=key, ta_url=None)
    signer = c2pa.Signer.from_info(info)
    try:
        with c2pa.Builder(json.dumps(manifest_definition(content_id, model, dest.name, voice))) as builder:
            builder.sign_file(str(source), str(dest), signer)
    finally:
        signer.close()


@dataclass(frozen=True)
class C2paReport:
    present: bool
    valid: bool
    state: str  # c2pa's validation state ("Valid", "Trusted", "Invalid") or "absent"
    source_type: str | None
    content_id: str | None
    generator: str | None
    problems: list[str]


def read(path: Path) -> C2paReport:
    import c2pa

    anchors = trust_anchors()
    try:
        if anchors:
            settings = {"verify": {"verify_trust": True}, "trust": {"trust_anchors": anchors}}
            ctx = c2pa.Context.from_dict(settings)
            reader = c2pa.Reader(str(path), context=ctx)
        else:
            reader = c2pa.Reader(str(path))
    except Exception as err:  # noqa: BLE001 - c2pa raises its own error family for "no manifest"
        absent = "ManifestNotFound" in type(err).__name__ or "not found" in str(err).lower() or "NotSupported" in type(err).__name__
        return C2paReport(False, False, "absent" if absent else "unreadable", None, None, None, [] if absent else [str(err)[:200]])
    with reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state() or ""
    active = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    source_type = content_id = None
    for assertion in active.get("assertions", []):
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in assertion.get("data", {}).get("actions", []):
                if action.get("action") == "c2pa.created":
                    source_type = action.get("digitalSourceType")
        if assertion.get("label") == "org.shotline.export":
            content_id = assertion.get("data", {}).get("content_id")
    problems = [s.get("code", "") for s in store.get("validation_status", []) or []]
    generator = (active.get("claim_generator_info") or [{}])[0].get("name") or active.get("claim_generator")
    valid = state in ("Valid", "Trusted") and not problems
    return C2paReport(True, valid, state, source_type, content_id, generator, problems)
