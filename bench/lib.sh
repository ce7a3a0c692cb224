# Shared by the bench scripts (source it from the repository's root): the release binary, a
# server's readiness, and one wrk measurement over a file of paths.

# Builds the release binary and prints its path.
release_papers() {
  cargo build --release --locked -q -p papers
  echo "${CARGO_TARGET_DIR:-target}/release/papers"
}

# Waits until the server on 127.0.0.1:PORT answers /healthz (at most 20 s).
wait_healthy() {
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "the server on port $1 never answered /healthz" >&2
  return 1
}

# wrk_measure PORT PATHS_FILE SECONDS [WARMUP_SECONDS]: 64 connections on 2 threads, requests
# taken round robin from PATHS_FILE (bench/wrk/paths.lua), after a warm-up (3 s by default; 0 for
# none). Sets RPS, P50, P99 (as wrk prints them: "1.43ms") and ERRORS ("0", or wrk's lines).
wrk_measure() {
  local url="http://127.0.0.1:$1" out
  if [ "${4:-3}" != 0 ]; then
    wrk -t2 -c64 -d"${4:-3}s" -s bench/wrk/paths.lua "$url" -- "$2" >/dev/null
  fi
  out="$(wrk -t2 -c64 -d"$3s" --latency -s bench/wrk/paths.lua "$url" -- "$2")"
  RPS="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  P50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  P99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  ERRORS="$(awk '/Non-2xx|Socket errors/ {s=s $0 "; "} END {print (s=="" ? "0" : s)}' <<<"$out")"
}

# ratio A B: A/B to two decimals.
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
