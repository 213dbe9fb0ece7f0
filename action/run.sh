#!/usr/bin/env bash
# The GitHub Action's step (action.yml): run osaid, write SARIF, record the exit code as an output
# so the SARIF is uploaded before the gate fails the job. Usage or internal errors (2, 3) fail at
# once. Inputs come from the environment: OSAID_COMMAND (audit|check), OSAID_PATH, OSAID_POLICY,
# OSAID_ARGS (split on spaces), OSAID_SARIF; OSAID_BIN overrides the `osaid` command.
set -uo pipefail

command="${OSAID_COMMAND:-audit}"
path="${OSAID_PATH:-.}"
sarif="${OSAID_SARIF:-osaid.sarif}"
osaid_bin="${OSAID_BIN:-osaid}"
out="${GITHUB_OUTPUT:-/dev/null}"

args=()
if [[ -n "${OSAID_POLICY:-}" ]]; then
  args+=(--policy "$OSAID_POLICY")
fi
if [[ -n "${OSAID_ARGS:-}" ]]; then
  read -r -a extra <<<"$OSAID_ARGS"
  args+=("${extra[@]}")
fi

case "$command" in
  audit)
    $osaid_bin audit "$path" --sarif "$sarif" "${args[@]}"
    code=$?
    written="$sarif"
    ;;
  check)
    $osaid_bin check "$path" "${args[@]}"
    code=$?
    written=""
    ;;
  *)
    echo "osaid action: command must be audit or check, not '$command'" >&2
    exit 2
    ;;
esac

if [[ -n "$written" && ! -f "$written" ]]; then
  written=""
fi
{
  echo "exit-code=$code"
  echo "sarif-file=$written"
} >>"$out"
if [[ $code -ge 2 ]]; then
  exit "$code"
fi
exit 0
