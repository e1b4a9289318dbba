# Publish sqlprobe to every regional function app (Windows, PowerShell 7; scripts/publish-regions.sh is
# the same for Linux and macOS).
#
#   scripts/publish-regions.ps1 [-Skip APP] [-ResourceGroup RG] [-Package ZIP] [APP ...]
#
# Without APP arguments it reads the JSON array SQLPROBE_FUNCTION_APP_NAMES and AZURE_RESOURCE_GROUP,
# the outputs of infra/main.bicep that azd keeps in its environment; AZURE_SUBSCRIPTION_ID picks the
# subscription. -Skip leaves out one app. Without -Package it stages the package first
# (scripts/stage-package.js), the same files azd deploys. Each upload is retried while the app's
# storage role assignments propagate (a new app answers 403 for a few minutes). Needs node/npm and an
# Azure CLI that is logged in.
param(
  [string]$Skip = '',
  [Alias('g')][string]$ResourceGroup = $env:AZURE_RESOURCE_GROUP,
  [string]$Package = '',
  [Parameter(ValueFromRemainingArguments = $true)][string[]]$Apps = @()
)
# Failures are handled by exit code below; native stderr redirected into the log must not stop the script.
$ErrorActionPreference = 'Continue'

if ($Apps.Count -eq 0) {
  $Apps = @(node -e 'for (const a of JSON.parse(process.env.SQLPROBE_FUNCTION_APP_NAMES || "[]")) console.log(a)')
}
$Apps = @($Apps | Where-Object { $_ -and $_ -ne $Skip })
if ($Apps.Count -eq 0) {
  Write-Output 'publish-regions: no regional app to publish'
  exit 0
}
if (-not $ResourceGroup) { Write-Error 'publish-regions: set -ResourceGroup or AZURE_RESOURCE_GROUP' -ErrorAction Continue; exit 2 }

if (-not $Package) {
  $root = Split-Path -Parent $PSScriptRoot
  node (Join-Path $root 'scripts/stage-package.js')
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
  $Package = Join-Path $root '.deploy/sqlprobe.zip'
}
if (-not (Test-Path -LiteralPath $Package -PathType Leaf)) { Write-Error "publish-regions: no package at $Package" -ErrorAction Continue; exit 2 }

$attempts = if ($env:SQLPROBE_PUBLISH_ATTEMPTS) { [int]$env:SQLPROBE_PUBLISH_ATTEMPTS } else { 6 }
$firstDelay = if ($env:SQLPROBE_PUBLISH_RETRY_SECONDS) { [int]$env:SQLPROBE_PUBLISH_RETRY_SECONDS } else { 20 }
$subscription = if ($env:AZURE_SUBSCRIPTION_ID) { @('--subscription', $env:AZURE_SUBSCRIPTION_ID) } else { @() }
foreach ($app in $Apps) {
  Write-Output "publish-regions: $app"
  $attempt = 1
  $delay = $firstDelay
  while ($true) {
    $log = az functionapp deployment source config-zip --resource-group $ResourceGroup --name $app --src $Package @subscription 2>&1 | Out-String
    if ($LASTEXITCODE -eq 0) { Write-Output $log; break }
    [Console]::Error.WriteLine($log)
    # Only a refused storage access is worth waiting for: it heals once the role assignments propagate.
    if ($log -notmatch '403|Forbidden|AuthorizationPermissionMismatch|AuthorizationFailure|InaccessibleStorage') {
      [Console]::Error.WriteLine("publish-regions: ${app}: upload failed")
      exit 1
    }
    if ($attempt -ge $attempts) {
      [Console]::Error.WriteLine("publish-regions: ${app}: storage access still refused after $attempts attempts; check the app identity's Storage Blob Data Owner role on its storage account, then run this again")
      exit 1
    }
    [Console]::Error.WriteLine("publish-regions: ${app}: storage access refused (role assignments can take minutes to apply); attempt $($attempt + 1) of $attempts in ${delay}s")
    Start-Sleep -Seconds $delay
    $attempt += 1
    $delay *= 2
  }
}
