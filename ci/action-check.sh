#!/usr/bin/env bash
# The GitHub Action's check step: write SARIF (for upload) and a text summary (for the log),
# and hand the exit code to the gate step, so the SARIF is uploaded even when the gate fails.
set -u
rules=()
for path in ${CLAUSEGATE_RULES:-}; do
  rules+=(--rules "$path")
done
clausegate check "$CLAUSEGATE_BUNDLE" "${rules[@]}" --fail-on "${CLAUSEGATE_FAIL_ON:-minor}" \
  --format sarif --output "${CLAUSEGATE_SARIF:-clausegate.sarif}" --format text
code=$?
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
