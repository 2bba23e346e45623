#!/usr/bin/env bash
# LocalStack init hook (runs inside the container when LocalStack is ready). The CDK app creates every
# resource itself (deploy.sh); this hook only checks that the services the stack needs are up and says so.
set -euo pipefail
for svc in apigateway lambda dynamodb events; do
  if ! curl -fsS "http://localhost:4566/_localstack/health" | grep -q "\"$svc\": \"\(available\|running\)\""; then
    echo "pyerp-realtime: LocalStack service $svc is not available; deploy.sh will fail" >&2
  fi
done
echo "pyerp-realtime: LocalStack is ready; run localstack/deploy.sh on the host"
