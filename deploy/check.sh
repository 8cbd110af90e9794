#!/usr/bin/env bash
# Validates the files of deploy/ with the real tools from Debian's packages:
# `systemd-analyze verify` for the unit, `caddy validate` for the Caddyfile,
# `nginx -t` for the nginx server block (inside a minimal main config, with a
# throw-away self-signed certificate at the paths it names). Installs the
# tools when missing (idempotent). Run by .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
deploy=$PWD

need=()
command -v caddy >/dev/null || need+=(caddy)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then
  echo "deploy: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# systemd: the unit as installed, with the binary it names present.
mkdir -p "$work/bin"
printf '#!/bin/sh\nexit 0\n' > "$work/bin/peerpress"
chmod +x "$work/bin/peerpress"
sed "s#/usr/local/bin/peerpress#$work/bin/peerpress#g" peerpress.service > "$work/peerpress.service"
# Strict: any message (an unknown key, a value it ignores) is a failure.
if ! out=$(systemd-analyze verify --man=no "$work/peerpress.service" 2>&1) || [[ -n $out ]]; then
  echo "$out" >&2
  echo "deploy: systemd-analyze verify found problems in peerpress.service" >&2
  exit 1
fi
echo "deploy: systemd-analyze verify: peerpress.service ok"

# Caddy
HOME=$work XDG_DATA_HOME=$work XDG_CONFIG_HOME=$work \
  caddy validate --config Caddyfile --adapter caddyfile >"$work/caddy.log" 2>&1 \
  || { cat "$work/caddy.log" >&2; echo "deploy: caddy validate failed" >&2; exit 1; }
echo "deploy: caddy validate: Caddyfile ok"

# nginx: our server block inside a minimal main config.
mkdir -p "$work/ssl" "$work/logs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=commons.example.org" \
  -keyout "$work/ssl/privkey.pem" -out "$work/ssl/fullchain.pem" 2>/dev/null
sed -e "s#/etc/ssl/peerpress/#$work/ssl/#g" \
    -e "s#/etc/nginx/peerpress-proxy.conf#$deploy/nginx-proxy.conf#g" nginx.conf > "$work/site.conf"
cat > "$work/nginx.conf" <<CONF
error_log $work/logs/error.log;
pid $work/nginx.pid;
events {}
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    include $work/site.conf;
}
CONF
"$nginx" -t -q -p "$work" -c "$work/nginx.conf" \
  || { echo "deploy: nginx -t failed" >&2; exit 1; }
echo "deploy: nginx -t: nginx.conf ok"
