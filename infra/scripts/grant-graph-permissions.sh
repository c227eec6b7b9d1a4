#!/bin/sh
# Grants the bot's managed identity the Microsoft Graph application permissions it uses (docs/graph.md): the admin
# consent, done once by a Privileged Role Administrator or Global Administrator with the Azure CLI (`az login` first).
#
#   infra/scripts/grant-graph-permissions.sh <identity principal id> [permission ...]
#
# The principal id is the output BOT_IDENTITY_PRINCIPAL_ID (`azd env get-value BOT_IDENTITY_PRINCIPAL_ID`). Without
# permissions named, the five of docs/graph.md are granted; name fewer to grant fewer (the bot runs with any subset and
# logs what is off). Running it again changes nothing: a permission already granted is skipped.
set -eu

principal="${1:?usage: $0 <identity principal id> [permission ...]}"
shift
if [ "$#" -eq 0 ]; then
  set -- TeamsAppInstallation.ReadWriteSelfForUser.All User.Read.All GroupMember.Read.All Calendars.ReadWrite Mail.Send
fi

graph_app_id=00000003-0000-0000-c000-000000000000
graph_sp=$(az ad sp show --id "$graph_app_id" --query id -o tsv)
granted=$(az rest --method GET \
  --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
  --query "value[?resourceId=='$graph_sp'].appRoleId" -o tsv)

for permission in "$@"; do
  role=$(az ad sp show --id "$graph_app_id" \
    --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)
  if [ -z "$role" ]; then
    echo "unknown Graph application permission: $permission" >&2
    exit 1
  fi
  if printf '%s\n' "$granted" | grep -qx "$role"; then
    echo "already granted: $permission"
    continue
  fi
  az rest --method POST \
    --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$principal\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role\"}" \
    --output none
  echo "granted: $permission"
done
echo "Restart the Web App (or wait for its next token) so the bot sees the new permissions in its token."
