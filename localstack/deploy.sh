#!/usr/bin/env bash
# Deploy the same CDK app (infra-cdk) to LocalStack with cdklocal.
#   1. docker compose -f localstack/docker-compose.yml up -d      (needs LOCALSTACK_AUTH_TOKEN)
#   2. localstack/deploy.sh                                        (this script)
#   3. localstack/smoke.sh                                         (opt-in end-to-end check)
# Tokens: the local gateway runs on the host only as the development identity provider (its JWKS and the
# `token` command share the key in ~/.pyerp-realtime/dev-signing-key.jwk); the authorizer Lambda inside
# LocalStack fetches the JWKS from host.docker.internal.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
idp_port=${IDP_PORT:-8080}

curl -fsS http://localhost:4566/_localstack/health >/dev/null \
  || { echo "deploy.sh: LocalStack is not running on localhost:4566 (docker compose -f localstack/docker-compose.yml up -d)" >&2; exit 1; }

echo "deploy.sh: building the functions jar and the CDK app..."
(cd "$root" && mvn -B -q -DskipTests install -pl infra-cdk,local-gateway -am)
(cd "$here" && npm ci --no-audit --no-fund)

if ! curl -fsS "http://localhost:$idp_port/local/jwks.json" >/dev/null 2>&1; then
  echo "deploy.sh: starting the local gateway on :$idp_port as the development identity provider..."
  nohup java -jar "$root/local-gateway/target/realtime-local-gateway-all.jar" --port "$idp_port" --host 0.0.0.0 \
    --allow-host host.docker.internal \
    > "$here/idp.log" 2>&1 &
  for _ in $(seq 1 60); do curl -fsS "http://localhost:$idp_port/local/jwks.json" >/dev/null 2>&1 && break; sleep 1; done
fi

cd "$root/infra-cdk"
"$here/node_modules/.bin/cdklocal" bootstrap
"$here/node_modules/.bin/cdklocal" deploy --require-approval never --outputs-file "$here/cdk-outputs.json" \
  -c stage=local \
  -c jwtIssuer=pyerp-local-gateway -c jwtAudience=pyerp-realtime -c jwtAlgorithms=ES256 \
  -c jwksUrl="http://host.docker.internal:$idp_port/local/jwks.json" -c jwksAllowHttp=true \
  -c allowedOrigins="http://localhost:$idp_port"
echo "deploy.sh: deployed; outputs in localstack/cdk-outputs.json. Next: localstack/smoke.sh"
