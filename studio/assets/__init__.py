"""studio.assets: files users bring (music, logos, scripts, character cards, CSV lists):
each upload checked (kind, suffix, size, a real audio or image file) and stored under a
fresh name in SHOTLINE_HOME/media/uploads; and whose file a path is (a timeline may only
use its user's own clips and uploads, or the demo assets the studio ships)."""

from studio.assets.uploads import UPLOAD_KINDS, UploadService, check_own_file, file_size_ok

__all__ = ["UPLOAD_KINDS", "UploadService", "check_own_file", "file_size_ok"]
