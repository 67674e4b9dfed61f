#!/usr/bin/env bash
# The database roles other than the owner, with their passwords (docker-entrypoint-initdb.d runs this once, on an
# empty volume, before the apps' migrations, which then only grant). Run it again by hand to change a password:
#   POSTGRES_USER=ilot POSTGRES_DB=ilot ILOT_API_DB_PASSWORD=... GRAFANA_DB_PASSWORD=... bash deploy/postgres/init-roles.sh
#   ilot_api        the residents' reports (metrics app, ILOT_API_DATABASE_URL): row-level security applies to it
#   grafana_reader  Grafana's TimescaleDB datasource: the dashboards' views (shared devices, participants summed)
#                   and the operational tables; no participant's readings, nothing of the resident ledger
set -euo pipefail
: "${ILOT_API_DB_PASSWORD:?set ILOT_API_DB_PASSWORD}"
: "${GRAFANA_DB_PASSWORD:?set GRAFANA_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v api_password="$ILOT_API_DB_PASSWORD" -v grafana_password="$GRAFANA_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE ilot_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ilot_api') \gexec
SELECT 'CREATE ROLE grafana_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana_reader') \gexec
ALTER ROLE ilot_api WITH LOGIN PASSWORD :'api_password';
ALTER ROLE grafana_reader WITH LOGIN PASSWORD :'grafana_password';
SQL
