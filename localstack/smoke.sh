#!/usr/bin/env bash
# Opt-in end-to-end check of a LocalStack deployment (after deploy.sh): a real WebSocket client connects to
# the deployed WebSocket API with a development token, subscribes, publishes an ERP event to the deployed
# EventBridge bus and waits for the envelope. Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
[ -f "$here/cdk-outputs.json" ] || { echo "smoke.sh: run localstack/deploy.sh first" >&2; exit 1; }
export TOKEN="$(java -jar "$root/local-gateway/target/realtime-local-gateway-all.jar" token --sub smoke --roles inventory:read --warehouses WH-1)"
exec node --experimental-websocket "$here/smoke.mjs"
