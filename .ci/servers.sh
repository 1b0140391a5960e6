# shellcheck shell=bash
# Installs, starts, checks and stops the S3-compatible servers the integration tests run
# against. Sourced by .ci/test.
#
# Both servers verify SigV4 signatures for real (checked at every start, so a server upgrade
# that silently stops checking fails the run instead of letting signing bugs through).

# Pinned versions: a new release should be a reviewed change, not a surprise in CI.
MOTO_REQUIREMENTS=("moto[s3]==5.2.5" "flask==3.1.3" "flask-cors==6.0.5")
# Later releases need a newer rustc than the one we build with.
S3S_FS_VERSION=0.14.1

S3_TEST_REGION=us-east-1
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/s3-tests/venv"
SERVER_PIDS=()

# moto and its Flask server go into their own venv, so the system Python stays untouched.
# A stamp with the requirements makes a warm run skip pip entirely.
install_moto() {
  local stamp="$VENV/s3-tests-requirements.txt"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "${MOTO_REQUIREMENTS[*]}" ]]; then
    echo "moto: already installed in $VENV"
    return
  fi
  echo "moto: installing into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${MOTO_REQUIREMENTS[@]}"
  echo "${MOTO_REQUIREMENTS[*]}" >"$stamp"
}

# s3s-fs is built from crates.io into the default cargo bin dir (several minutes cold).
install_s3s_fs() {
  # Not grep -q: it could stop reading early, and cargo's SIGPIPE would fail the pipeline.
  if cargo install --list | grep -x "s3s-fs v$S3S_FS_VERSION:" >/dev/null; then
    echo "s3s-fs: already installed"
    return
  fi
  echo "s3s-fs: building $S3S_FS_VERSION from crates.io"
  cargo install s3s-fs --version "$S3S_FS_VERSION" --locked --features binary --quiet
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until the server accepts connections; on failure prints its log and fails the run.
wait_for_port() {
  local name=$1 pid=$2 port=$3 log=$4
  for _ in $(seq 300); do # 30 s
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "error: $name is not listening on 127.0.0.1:$port; its log:" >&2
  cat "$log" >&2
  return 1
}

# Starts a server in the background and remembers its PID for stop_servers.
# Usage: spawn NAME PORT LOG COMMAND...
spawn() {
  local name=$1 port=$2 log=$3
  shift 3
  "$@" >"$log" 2>&1 &
  SERVER_PIDS+=("$!")
  wait_for_port "$name" "$!" "$port" "$log"
}

# moto only checks signatures once auth is switched on, and then only for access keys that
# exist in its IAM. So: start it with auth off, create a user allowed s3:* and its access key,
# then switch auth on for every later request through moto's reset-auth API (more robust
# than counting setup requests with INITIAL_NO_AUTH_ACTION_COUNT).
start_moto() {
  local port endpoint keys
  port=$(free_port)
  endpoint="http://127.0.0.1:$port"
  spawn moto "$port" "$WORK_DIR/moto.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port"
  keys=$("$VENV/bin/python" - "$endpoint" "$S3_TEST_REGION" <<'PY'
import json, sys, urllib.request
import boto3

endpoint, region = sys.argv[1:]
# Auth is still off: any credentials do for the setup calls.
iam = boto3.client("iam", endpoint_url=endpoint, region_name=region,
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="s3-tests")
iam.put_user_policy(UserName="s3-tests", PolicyName="s3-all", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}))
key = iam.create_access_key(UserName="s3-tests")["AccessKey"]
# The body is the number of requests still let through unchecked.
urllib.request.urlopen(urllib.request.Request(
    f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST",
    headers={"Content-Type": "text/plain"}))
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
  )
  read -r S3_TEST_MOTO_ACCESS_KEY_ID S3_TEST_MOTO_SECRET_ACCESS_KEY <<<"$keys"
  export S3_TEST_MOTO_ENDPOINT=$endpoint S3_TEST_MOTO_REGION=$S3_TEST_REGION
  export S3_TEST_MOTO_ACCESS_KEY_ID S3_TEST_MOTO_SECRET_ACCESS_KEY
  check_signatures moto "$endpoint" "$S3_TEST_MOTO_ACCESS_KEY_ID" "$S3_TEST_MOTO_SECRET_ACCESS_KEY"
}

# s3s-fs takes one access key pair on its command line and keeps buckets as directories
# under a fresh root. The secret is made of the same alphabet as AWS's, '/' and '+' included.
start_s3s_fs() {
  local port root
  port=$(free_port)
  root="$WORK_DIR/s3s-fs-root"
  mkdir "$root"
  S3_TEST_S3S_ACCESS_KEY_ID="AKIA$(head -c 10 /dev/urandom | base32)"
  S3_TEST_S3S_SECRET_ACCESS_KEY=$(head -c 30 /dev/urandom | base64)
  export S3_TEST_S3S_ENDPOINT="http://127.0.0.1:$port" S3_TEST_S3S_REGION=$S3_TEST_REGION
  export S3_TEST_S3S_ACCESS_KEY_ID S3_TEST_S3S_SECRET_ACCESS_KEY
  spawn s3s-fs "$port" "$WORK_DIR/s3s-fs.log" s3s-fs --host 127.0.0.1 --port "$port" \
    --access-key "$S3_TEST_S3S_ACCESS_KEY_ID" --secret-key "$S3_TEST_S3S_SECRET_ACCESS_KEY" "$root"
  check_signatures s3s-fs "$S3_TEST_S3S_ENDPOINT" "$S3_TEST_S3S_ACCESS_KEY_ID" "$S3_TEST_S3S_SECRET_ACCESS_KEY"
}

# With boto3 as the reference signer: the right secret must work, a wrong one must get
# SignatureDoesNotMatch.
check_signatures() {
  "$VENV/bin/python" - "$@" "$S3_TEST_REGION" <<'PY'
import sys
import boto3, botocore.exceptions

name, endpoint, key_id, secret, region = sys.argv[1:]
def list_buckets(secret):
    boto3.client("s3", endpoint_url=endpoint, region_name=region,
                 aws_access_key_id=key_id, aws_secret_access_key=secret).list_buckets()

list_buckets(secret)
try:
    list_buckets("wrong" + secret)
except botocore.exceptions.ClientError as e:
    code = e.response["Error"]["Code"]
    if code != "SignatureDoesNotMatch":
        sys.exit(f"error: {name} rejected a wrong secret with {code}, not SignatureDoesNotMatch")
else:
    sys.exit(f"error: {name} accepted a request signed with a wrong secret")
print(f"{name}: listening on {endpoint}, signatures checked")
PY
}

stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}
