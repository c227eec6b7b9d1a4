// Grants Microsoft Graph application permissions (app roles) to the bot's managed identity: the admin consent of
// docs/graph.md, as code. Needs a deployer who may assign app roles (Privileged Role Administrator or Global
// Administrator); main.bicep calls it only with grantGraphPermissions=true. infra/scripts/grant-graph-permissions.sh
// does the same with the Azure CLI.
extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0'

@description('Object (principal) id of the managed identity.')
param principalId string

@description('Graph application permissions by name, e.g. User.Read.All.')
param permissions array

// Microsoft Graph's service principal in this tenant (its app id is the same everywhere).
resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: '00000003-0000-0000-c000-000000000000'
}

// The role id is looked up by name from Graph's own app roles, so no GUID is copied by hand.
resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for permission in permissions: {
  principalId: principalId
  resourceId: graph.id
  appRoleId: filter(graph.appRoles, role => role.value == permission && contains(role.allowedMemberTypes, 'Application'))[0].id
}]
