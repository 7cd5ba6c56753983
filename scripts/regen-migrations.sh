#!/usr/bin/env bash
# Pre-release only: regenerates the single baseline migration from db/schema (no production
# database exists yet). Once a release has shipped, use `npm run db:generate` to add
# incremental migrations instead and never rewrite committed ones.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/edomex-regen-migrations.lock
flock 9
rm -rf db/migrations
npx drizzle-kit generate --name baseline >/dev/null
echo "db/migrations regenerated: $(ls db/migrations/*.sql)"
