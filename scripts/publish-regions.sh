#!/bin/sh
# Publish sqlprobe to every regional function app.
#
#   scripts/publish-regions.sh [--skip APP] [--resource-group RG] [APP ...]
#
# Without APP arguments it reads the JSON array SQLPROBE_FUNCTION_APP_NAMES and AZURE_RESOURCE_GROUP,
# the outputs of infra/main.bicep that azd keeps in its environment. --skip leaves out one app (the
# one `azd deploy` already updated). Needs node/npm, zip and an Azure CLI that is logged in.
set -eu

skip=""
rg="${AZURE_RESOURCE_GROUP:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --skip) skip="$2"; shift 2 ;;
    --resource-group|-g) rg="$2"; shift 2 ;;
    *) break ;;
  esac
done

if [ $# -gt 0 ]; then
  apps="$*"
else
  apps=$(node -e 'for (const a of JSON.parse(process.env.SQLPROBE_FUNCTION_APP_NAMES || "[]")) console.log(a)')
fi
apps=$(for a in $apps; do [ "$a" = "$skip" ] || echo "$a"; done)
if [ -z "$apps" ]; then
  echo "publish-regions: no other regional app to publish"
  exit 0
fi
[ -n "$rg" ] || { echo "publish-regions: set --resource-group or AZURE_RESOURCE_GROUP" >&2; exit 2; }

# One package for every region: compiled code plus production dependencies only.
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && npm run build)
mkdir "$work/pkg"
cp -R "$root/dist" "$root/host.json" "$root/package.json" "$root/package-lock.json" "$work/pkg/"
(cd "$work/pkg" && npm ci --omit=dev --ignore-scripts && zip -qr "$work/sqlprobe.zip" .)

for app in $apps; do
  echo "publish-regions: $app"
  az functionapp deployment source config-zip --resource-group "$rg" --name "$app" --src "$work/sqlprobe.zip"
done
