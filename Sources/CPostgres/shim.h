// libpq, PostgreSQL's C client (Debian: libpq-dev), for the index's PostgreSQL backend
// (Sources/Index/Postgres/PostgresDatabase.swift).
#include <libpq-fe.h>
