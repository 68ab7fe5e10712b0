#!/usr/bin/env bash
# npm run test:container: builds the real Dockerfile and runs the image the way it declares itself.
#
#   1. builds the runner (default) target and the development target
#   2. reads User, Cmd, Env, WorkingDir and Healthcheck from the image
#   3. runs the image's migrator (the platforms' release command) against a fresh database
#   4. starts the image's Cmd as the image's (non-root) user on a free port, waits for /health/live;
#      migrator and server get the environment and /run/secrets files compose.production.yaml gives
#      them, and /api/health must show the database (and Redis) reached through those files
#   5. runs the image's own HEALTHCHECK command inside the container: must exit 0
#   6. runs the Playwright smoke suite against it (BASE_URL)
#   7. sends SIGTERM to the server process and expects a clean exit (graceful shutdown)
#   8. prints the runner's size beside the base image's, writes bench/results/container.json
#
# Engine: `docker` when a Docker engine answers, else buildah (no daemon; chroot isolation shares
# the host network). Environment:
#   DATABASE_URL   a PostgreSQL server to create the fresh database on (default: embedded cluster)
#   IMAGE          runner tag (default localhost/slipway:test); the dev target is tagged IMAGE-dev
#   KEEP_IMAGES=0  remove the built images at the end (default: keep them, layers are reused)
#   SKIP_SMOKE=1   skip the Playwright suite (CI=true never skips)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

IMAGE=${IMAGE:-localhost/slipway:test}
DEV_IMAGE=${DEV_IMAGE:-${IMAGE}-dev}
KEEP_IMAGES=${KEEP_IMAGES:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-container-XXXXXX")

log() { printf '\n\033[1m[test:container]\033[0m %s\n' "$*"; }
fail() {
  printf '\n\033[31m[test:container] FAILED:\033[0m %s\n' "$*" >&2
  exit 1
}

# ---- engine ---------------------------------------------------------------------------------------
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=docker
elif command -v buildah >/dev/null 2>&1; then
  engine=buildah
  # The local stand-in for the base image (../shared/tools/container-base-image) lives in vfs storage.
  export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
else
  fail "neither a Docker engine (docker info) nor buildah is available"
fi

# ---- state and cleanup ----------------------------------------------------------------------------
db_pid="" redis_pid="" server_pid="" server_ctr="" exec_ctr=""
server_log=$work/server.log

descendants() { # every descendant pid of $1
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}
node_pid_of() { # the node process inside the container started by `buildah run` pid $1
  local pid
  for pid in $(descendants "$1"); do
    # Next renames the process (next-server), so match the executable, not the name.
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */bin/node ]] && { echo "$pid"; return 0; }
  done
  return 1
}
# Every process started in a container by this run carries this variable: cleanup finds them even
# when `buildah run` is gone (its children outlive it).
marker="SLIPWAY_CONTAINER_TEST=$work"
kill_marked() {
  local environ
  for environ in /proc/[0-9]*/environ; do
    if grep -qzx -- "$marker" "$environ" 2>/dev/null; then
      environ=${environ#/proc/}
      kill -KILL "${environ%/environ}" 2>/dev/null
    fi
  done
}

cleanup() {
  local status=$?
  set +e
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    [[ $engine == buildah ]] && kill_marked
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  [[ $engine == buildah ]] && kill_marked
  if [[ $engine == docker ]]; then
    [[ -n $server_ctr ]] && docker rm -f "$server_ctr" >/dev/null 2>&1
  else
    [[ -n $server_ctr ]] && buildah rm "$server_ctr" >/dev/null 2>&1
    [[ -n $exec_ctr ]] && buildah rm "$exec_ctr" >/dev/null 2>&1
  fi
  if [[ -n $db_pid ]]; then
    kill -TERM -- "-$db_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$db_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  [[ -n $redis_pid ]] && kill -TERM "$redis_pid" 2>/dev/null
  if [[ $KEEP_IMAGES == 0 ]]; then
    if [[ $engine == docker ]]; then docker rmi "$IMAGE" "$DEV_IMAGE" >/dev/null 2>&1; else buildah rmi "$IMAGE" "$DEV_IMAGE" >/dev/null 2>&1; fi
  fi
  if [[ $status -ne 0 && -s $server_log ]]; then
    printf '\n[test:container] last server output:\n' >&2
    tail -n 40 "$server_log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=new Function("x","return "+process.argv[1])(JSON.parse(s));console.log(typeof v==="string"?v:JSON.stringify(v??null))})' "$1"; }

# ---- 1. build ---------------------------------------------------------------------------------------
# The base stage is `FROM node:<major>-bookworm-slim@sha256:<digest> AS base` (pinned by digest).
node_major=$(sed -n 's/^FROM node:\([0-9]*\)-bookworm-slim@sha256:[0-9a-f]* AS base$/\1/p' Dockerfile | head -n 1)
[[ -n $node_major ]] || fail "the Dockerfile's base stage is not FROM node:<major>-bookworm-slim@sha256:<digest> AS base"
base_image="docker.io/library/node:${node_major}-bookworm-slim"
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
version=$(node -p 'require("./package.json").version')
build_args=(--build-arg "COMMIT_SHA=$commit" --build-arg "APP_VERSION=$version")

if [[ $engine == buildah ]]; then
  if [[ -x ../shared/tools/container-base-image ]]; then
    ../shared/tools/container-base-image "$node_major"
  elif ! buildah images --format '{{.Name}}:{{.Tag}}' | grep -qx "$base_image"; then
    fail "$base_image is not in buildah's storage ($STORAGE_DRIVER) and ../shared/tools/container-base-image is absent"
  fi
  # No registry here: the pinned digest cannot be pulled, so the first FROM (the base stage) takes the
  # locally assembled image of the same tag instead.
  build() { buildah bud --layers --isolation chroot --pull=never --format docker --from "$base_image" "${build_args[@]}" "$@" .; }
else
  build() { DOCKER_BUILDKIT=1 docker build "${build_args[@]}" "$@" .; }
fi

log "building the runner image $IMAGE with $engine…"
started=$SECONDS
build -t "$IMAGE" >"$work/build-runner.log" 2>&1 || { tail -n 60 "$work/build-runner.log" >&2; fail "runner build failed"; }
runner_build_seconds=$((SECONDS - started))
log "runner built in ${runner_build_seconds}s"

log "building the development target $DEV_IMAGE…"
started=$SECONDS
build --target development -t "$DEV_IMAGE" >"$work/build-dev.log" 2>&1 || { tail -n 60 "$work/build-dev.log" >&2; fail "development build failed"; }
dev_build_seconds=$((SECONDS - started))
log "development target built in ${dev_build_seconds}s"

# ---- 2. what the image declares ----------------------------------------------------------------------
if [[ $engine == buildah ]]; then
  buildah inspect --type image "$IMAGE" | json 'x.Docker.config' >"$work/config.json"
else
  docker image inspect "$IMAGE" | json 'x[0].Config' >"$work/config.json"
fi
cfg() { json "$1" <"$work/config.json"; }
image_user=$(cfg 'x.User || ""')
image_workdir=$(cfg 'x.WorkingDir || ""')
image_cmd=$(cfg 'x.Cmd')
healthcheck=$(cfg 'x.Healthcheck && x.Healthcheck.Test')
log "image declares User=$image_user WorkingDir=$image_workdir Cmd=$image_cmd"
log "Healthcheck=$healthcheck"
[[ -n $image_user && ${image_user%%:*} != root && ${image_user%%:*} != 0 ]] || fail "the image runs as root (User=$image_user)"
[[ $image_cmd != null ]] || fail "the image declares no Cmd"
[[ $healthcheck != null ]] || fail "the image declares no HEALTHCHECK (build with --format docker?)"
for expected in NODE_ENV=production HOSTNAME=0.0.0.0 NEXT_MANUAL_SIG_HANDLE=true; do
  cfg 'x.Env.join("\n")' | grep -qx "$expected" || fail "image Env lacks $expected"
done
mapfile -t cmd < <(cfg 'x.Cmd.join("\n")')
# Healthcheck.Test is ["CMD", ...] (exec form) or ["CMD-SHELL", "..."].
case $(cfg 'x.Healthcheck.Test[0]') in
  CMD) mapfile -t health_cmd < <(cfg 'x.Healthcheck.Test.slice(1).join("\n")') ;;
  CMD-SHELL) health_cmd=(/bin/sh -c "$(cfg 'x.Healthcheck.Test[1]')") ;;
  *) fail "unsupported Healthcheck.Test $healthcheck" ;;
esac
# The release command the platforms run from this image (fly.toml, railway.json and render.yaml agree:
# tests/unit/deploy checks it).
read -r -a migrate_cmd <<<"$(node -e 'import("./scripts/deploy-files.mjs").then(m=>console.log(m.readFly().deploy.release_command))')"
[[ ${#migrate_cmd[@]} -gt 0 ]] || fail "no release_command in fly.toml"

# ---- 3. a fresh database, then the image's migrator -------------------------------------------------
log "starting a fresh PostgreSQL database${DATABASE_URL:+ on the given DATABASE_URL server}…"
setsid npx --no-install tsx scripts/container-test-database.ts "$work/database-url" >"$work/database.log" 2>&1 &
db_pid=$!
for _ in $(seq 1 300); do
  [[ -s $work/database-url ]] && break
  kill -0 "$db_pid" 2>/dev/null || { cat "$work/database.log" >&2; fail "could not start PostgreSQL"; }
  sleep 0.2
done
[[ -s $work/database-url ]] || fail "PostgreSQL did not start within 60 s"
database_url=$(cat "$work/database-url")

redis_url=""
if command -v redis-server >/dev/null 2>&1; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  redis_url="redis://127.0.0.1:$redis_port"
fi

port=$(free_port)

# Secrets as in production compose: files made by secrets:generate (as root it hands the app's files
# to uid 1000, mode 0600), pointed at this test's database and Redis, each bind-mounted read-only at
# /run/secrets/NAME for the services compose grants it to, read through the same *_FILE variables.
secrets_dir=$work/secrets
node scripts/generate-secrets.mjs --dir "$secrets_dir" >/dev/null
printf '%s\n' "$database_url" >"$secrets_dir/database_url.txt"
printf '%s\n' "$redis_url" >"$secrets_dir/redis_url.txt" # empty file = no Redis
if [[ $(id -u) != 0 && $(id -u) != 1000 ]]; then
  # Not root: cannot hand the files to the image's user; let it read this throwaway copy.
  chmod 0644 "$secrets_dir"/*.txt
fi
compose_service() { # environment (--env KEY=VALUE) and secret mounts (--volume) of a production compose service
  node --input-type=module -e '
    import path from "node:path";
    import { readCompose } from "./scripts/deploy-files.mjs";
    const [name, dir] = process.argv.slice(1);
    const { services, secrets } = readCompose().merged;
    const service = services[name];
    for (const [key, value] of Object.entries(service.environment ?? {})) console.log(`--env\n${key}=${value ?? ""}`);
    for (const entry of service.secrets ?? []) {
      const source = typeof entry === "string" ? entry : entry.source;
      const target = typeof entry === "string" || !entry.target ? source : entry.target;
      const file = path.join(dir, path.basename(secrets[source].file));
      console.log(`--volume\n${file}:${target.startsWith("/") ? target : `/run/secrets/${target}`}:ro`);
    }' "$1" "$secrets_dir"
}
mapfile -t migrate_args < <(compose_service migrate)
mapfile -t app_args < <(compose_service app)
app_args+=(--env "$marker" --env "PORT=$port" --env "AUTH_MODE=local" --env "APP_URL=http://127.0.0.1:$port")
migrate_args+=(--env "$marker")
log "production wiring: the app mounts $(printf '%s\n' "${app_args[@]}" | grep -c '^/.*:ro$') secret files from compose.production.yaml"

# run_in_image OPTIONS... -- COMMAND...: a one-off process in a container of $IMAGE, as the image's
# user, on the host network (OPTIONS: --env and --volume pairs).
run_in_image() {
  local options=()
  while [[ $1 != -- ]]; do options+=("$1"); shift; done
  shift
  if [[ $engine == docker ]]; then
    docker run --rm --network host "${options[@]}" "$IMAGE" "$@"
  else
    [[ -n $exec_ctr ]] || exec_ctr=$(buildah from --pull=never "$IMAGE")
    buildah run --isolation chroot "${options[@]}" "$exec_ctr" -- "$@"
  fi
}

log "migrating the fresh database with the image's release command: ${migrate_cmd[*]}"
run_in_image "${migrate_args[@]}" -- "${migrate_cmd[@]}" || fail "the image's migrator failed"
log "running the migrator again: it must be a no-op on a current schema"
run_in_image "${migrate_args[@]}" -- "${migrate_cmd[@]}" || fail "the migrator failed on an up-to-date database"

# ---- 4. the server, as the image declares it ------------------------------------------------------------
log "starting ${cmd[*]} as the image's user on 127.0.0.1:$port…"
if [[ $engine == docker ]]; then
  server_ctr=$(docker run -d --network host "${app_args[@]}" "$IMAGE")
  docker logs -f "$server_ctr" >"$server_log" 2>&1 &
  server_pid=$!
else
  server_ctr=$(buildah from --pull=never "$IMAGE")
  setsid buildah run --isolation chroot "${app_args[@]}" "$server_ctr" -- "${cmd[@]}" >"$server_log" 2>&1 &
  server_pid=$!
fi

base_url="http://127.0.0.1:$port"
started=$SECONDS
until curl -fsS -o /dev/null "$base_url/health/live" 2>/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited before answering /health/live"
  ((SECONDS - started < 90)) || fail "no answer from $base_url/health/live within 90 s"
  sleep 0.5
done
log "server live after $((SECONDS - started))s: $(curl -fsS "$base_url/health/live")"

if [[ $engine == buildah ]]; then
  node_pid=$(node_pid_of "$server_pid") || fail "cannot find the server's node process"
  server_uid=$(awk '/^Uid:/ {print $2}' "/proc/$node_pid/status")
else
  server_uid=$(docker exec "$server_ctr" id -u)
fi
expected_uid=${image_user%%:*}
[[ $expected_uid =~ ^[0-9]+$ ]] || expected_uid=$(run_in_image -- id -u)
[[ $server_uid == "$expected_uid" && $server_uid != 0 ]] || fail "the server runs as uid $server_uid, the image declares $image_user"
log "the server runs as uid $server_uid (image User=$image_user)"

# The secrets reached the app through their files: the database answers, and Redis when given.
health=$(curl -sS "$base_url/api/health")
log "/api/health: $health"
[[ $(json 'x.checks.database.status' <<<"$health") == up ]] || fail "the database check is not up (DATABASE_URL_FILE)"
if [[ -n $redis_url ]]; then
  [[ $(json 'x.checks.redis.status' <<<"$health") == up ]] || fail "the Redis check is not up (REDIS_URL_FILE)"
fi
curl -fsS -o /dev/null "$base_url/health/ready" || fail "/health/ready is not 200"

# ---- 5. the image's own HEALTHCHECK ------------------------------------------------------------------
log "running the image's HEALTHCHECK inside the container…"
if [[ $engine == docker ]]; then
  docker exec "$server_ctr" "${health_cmd[@]}" || fail "the image's HEALTHCHECK exited $?"
else
  # The same container as the server (buildah runs a second process in it; network is the host's).
  buildah run --isolation chroot --env "$marker" --env "PORT=$port" "$server_ctr" -- "${health_cmd[@]}" ||
    fail "the image's HEALTHCHECK exited $?"
fi
log "HEALTHCHECK exited 0"

# ---- 6. smoke suite --------------------------------------------------------------------------------------
if [[ ${SKIP_SMOKE:-0} == 1 && ${CI:-} != true ]]; then
  log "SKIP_SMOKE=1: smoke suite skipped"
elif [[ -f playwright.config.ts && -d tests/smoke ]]; then
  log "running the smoke suite against $base_url…"
  BASE_URL=$base_url npx --no-install playwright test || fail "the smoke suite failed against the container"
else
  [[ ${CI:-} != true ]] || fail "no smoke suite (playwright.config.ts, tests/smoke)"
  log "no smoke suite yet (playwright.config.ts, tests/smoke): skipped"
fi

# ---- 7. graceful shutdown --------------------------------------------------------------------------------
log "sending SIGTERM to the server…"
started=$SECONDS
if [[ $engine == docker ]]; then
  docker stop -t 30 "$server_ctr" >/dev/null
  exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$server_ctr")
else
  kill -TERM "$node_pid"
  set +e
  wait "$server_pid"
  exit_code=$?
  set -e
fi
server_pid=""
log "server exited with $exit_code after $((SECONDS - started))s"
[[ $exit_code == 0 ]] || fail "expected exit code 0 after SIGTERM (graceful shutdown), got $exit_code"

# ---- 8. sizes ------------------------------------------------------------------------------------------------
rootfs_bytes() { # uncompressed size of an image's filesystem
  if [[ $engine == docker ]]; then
    docker image inspect -f '{{.Size}}' "$1"
  else
    local ctr mnt bytes
    ctr=$(buildah from --pull=never "$1")
    mnt=$(buildah mount "$ctr")
    bytes=$(du -sb "$mnt" | cut -f1)
    buildah umount "$ctr" >/dev/null
    buildah rm "$ctr" >/dev/null
    echo "$bytes"
  fi
}
runner_bytes=$(rootfs_bytes "$IMAGE")
base_bytes=$(rootfs_bytes "$base_image")
mb() { node -p "($1/1e6).toFixed(1)"; }
log "image sizes: runner $(mb "$runner_bytes") MB, base $base_image $(mb "$base_bytes") MB (app layers +$(mb $((runner_bytes - base_bytes))) MB)"

mkdir -p bench/results
node -e '
const [engine, image, base, runner, baseBytes, runnerBuild, devBuild, commit] = process.argv.slice(1);
const result = {
  date: new Date().toISOString(), engine, commit,
  runner: { image, bytes: Number(runner) },
  base: { image: base, bytes: Number(baseBytes) },
  appLayersBytes: Number(runner) - Number(baseBytes),
  buildSeconds: { runner: Number(runnerBuild), development: Number(devBuild) },
};
require("fs").writeFileSync("bench/results/container.json", JSON.stringify(result, null, 2) + "\n");
' "$engine" "$IMAGE" "$base_image" "$runner_bytes" "$base_bytes" "$runner_build_seconds" "$dev_build_seconds" "$commit"
log "wrote bench/results/container.json"
log "PASSED: built, migrated, served as uid $server_uid, HEALTHCHECK ok, smoke ok, clean shutdown"
