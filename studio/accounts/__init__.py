"""studio.accounts: the studio's users — salted scrypt password hashes in a users file or
the environment, the login check Gradio calls, and `shotline users add`."""

from studio.accounts.auth import add_user, authenticator, check_password, hash_password, load_users

__all__ = ["add_user", "authenticator", "check_password", "hash_password", "load_users"]
