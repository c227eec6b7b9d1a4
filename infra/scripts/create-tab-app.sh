#!/bin/sh
# Creates (or brings up to date) the Entra app registration of the personal tab's single sign-on, as Microsoft Learn's
# "Configure your tab app in Microsoft Entra ID" describes it: Application ID URI api://<host>/<client id>, the scope
# access_as_user, the Teams clients pre-authorized for it, v2.0 access tokens. The bot's managed identity cannot expose
# an API, so the tab's tokens are issued for this app. No secret and no permission: the service only validates tokens.
# Needs an account that may register applications in the tenant (`az login` first).
#
#   infra/scripts/create-tab-app.sh <host> [display name]
#
# <host> is the service's host name: PUBLIC_BASE_URL without https:// (`azd env get-value BOT_DOMAIN`). Prints the
# client id for TAB_APP_ID: `azd env set LOTSE_TAB_APP_ID <id>`, `azd provision`, then `npm run package` (see
# docs/deployment.md). Running it again for the same host and name reuses the registration and changes nothing.
set -eu

host=$(printf '%s' "${1:?usage: $0 <host> [display name]}" | tr 'A-Z' 'a-z')
case "$host" in
  *[!a-z0-9.-]* | '') echo "not a host name: $host (give it without https:// and without a path)" >&2; exit 1 ;;
esac
name="${2:-Integrations-Lotse Tab ($host)}"
# Teams desktop and mobile, Teams web (TEAMS_CLIENT_IDS in bot/tab/ssoToken.ts; TAB_SSO_ALLOWED_CLIENT_IDS).
teams_clients="1fec8e78-bce4-4aaf-ab1b-5451cc387264 5e3ce6c0-2b1f-4285-8d4b-75ee78787346"

app_id=$(az ad app list --display-name "$name" --query "[0].appId" -o tsv)
if [ -z "$app_id" ]; then
  app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
  echo "created: $name" >&2
else
  echo "found: $name" >&2
fi
object_id=$(az ad app show --id "$app_id" --query id -o tsv)
scope_id=$(az ad app show --id "$app_id" --query "api.oauth2PermissionScopes[?value=='access_as_user'].id | [0]" -o tsv)
if [ -z "$scope_id" ]; then
  scope_id=$(uuidgen 2>/dev/null || cat /proc/sys/kernel/random/uuid)
fi
scope_id=$(printf '%s' "$scope_id" | tr 'A-Z' 'a-z')

scopes="[{\"id\":\"$scope_id\",\"value\":\"access_as_user\",\"type\":\"User\",\"isEnabled\":true,\
\"adminConsentDisplayName\":\"Anmeldung im Integrations-Lotsen (Tab Mein Lotse) / Sign-in to the Integrations-Lotse tab\",\
\"adminConsentDescription\":\"Teams meldet die Person im Tab an; der Dienst liest nur ihre Kennung. / Teams signs the person in to the tab; the service only reads who they are.\",\
\"userConsentDisplayName\":\"Anmeldung im Integrations-Lotsen / Sign-in to the Integrations-Lotse\",\
\"userConsentDescription\":\"Teams meldet Sie im Tab Mein Lotse an. / Teams signs you in to the Mein Lotse tab.\"}]"
pre=""
for client in $teams_clients; do
  pre="$pre${pre:+,}{\"appId\":\"$client\",\"delegatedPermissionIds\":[\"$scope_id\"]}"
done

graph="https://graph.microsoft.com/v1.0/applications/$object_id"
# First the URI and the scope; the pre-authorization can only name a scope the app already has.
az rest --method PATCH --url "$graph" --headers "Content-Type=application/json" --output none \
  --body "{\"identifierUris\":[\"api://$host/$app_id\"],\"api\":{\"requestedAccessTokenVersion\":2,\"oauth2PermissionScopes\":$scopes}}"
az rest --method PATCH --url "$graph" --headers "Content-Type=application/json" --output none \
  --body "{\"api\":{\"requestedAccessTokenVersion\":2,\"oauth2PermissionScopes\":$scopes,\"preAuthorizedApplications\":[$pre]}}"
# The tenant's service principal of the app: Entra ID issues tokens for it.
az ad sp show --id "$app_id" --output none 2>/dev/null || az ad sp create --id "$app_id" --output none

echo "api://$host/$app_id with access_as_user, pre-authorized for Teams; set TAB_APP_ID to:" >&2
echo "$app_id"
