#!/usr/bin/env sh
# Renders an OpenWCall nginx template: only ${OPENWCALL_*} variables are replaced, nginx's own
# $variables stay. Usage: OPENWCALL_...=... deploy/render.sh deploy/openwcall.conf.template > out.conf
set -eu
template=${1:?usage: render.sh TEMPLATE}
vars=$(grep -o '\${OPENWCALL_[A-Z0-9_]*}' "$template" | sort -u | tr '\n' ' ')
for v in $vars; do
  name=${v#??}; name=${name%?}
  eval "value=\${$name:-}"
  [ -n "$value" ] || { echo "render.sh: $name is not set" >&2; exit 1; }
done
exec envsubst "$vars" < "$template"
