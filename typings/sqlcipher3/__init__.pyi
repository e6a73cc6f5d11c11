# Type stubs for the parts of sqlcipher3 gridvisit uses (the package ships none).
# sqlcipher3 is pysqlite built against SQLCipher: its connections have the API of
# the standard library's sqlite3, so they are typed as sqlite3.Connection; its
# exceptions are its own classes, with the same hierarchy as sqlite3's.
import sqlite3
from os import PathLike

class Error(Exception): ...
class DatabaseError(Error): ...
class OperationalError(DatabaseError): ...
class IntegrityError(DatabaseError): ...

def connect(
    database: str | bytes | PathLike[str],
    timeout: float = ...,
    detect_types: int = ...,
    isolation_level: str | None = ...,
    check_same_thread: bool = ...,
    cached_statements: int = ...,
    uri: bool = ...,
) -> sqlite3.Connection: ...
