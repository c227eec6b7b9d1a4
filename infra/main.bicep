// Integrations-Lotse on Azure: one resource group with everything the service needs, and no secret anywhere.
//
//   user-assigned managed identity ── the bot's identity (Bot Service, Microsoft Graph) and its Cosmos DB login
//   App Service plan + Linux Web App (Node 22 LTS) ── runs dist/bot/index.js, health check /readyz
//   Azure Bot (UserAssignedMSI) + Microsoft Teams channel ── messaging endpoint https://<app>/api/messages
//   Azure Cosmos DB for NoSQL (serverless, local auth off) ── the database and its containers, data contributor role
//   Log Analytics workspace + Application Insights ── APPLICATIONINSIGHTS_CONNECTION_STRING
//
// Deployed by `azd up` (azure.yaml) or the Microsoft 365 Agents Toolkit (m365agents.yml); compile with
// `az bicep build --file infra/main.bicep`. test/unit/infra/consistency.test.ts keeps this file and the code in step:
// the app settings against bot/config.ts, the containers against services/storage/containers.ts.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
@description('Name of the environment (azd: AZURE_ENV_NAME); part of every resource name.')
param environmentName string

@description('Azure region of every resource except the bot (global).')
param location string = resourceGroup().location

@description('App Service plan SKU. B1 is enough for five authorities; P0v3 for zone redundancy or more instances.')
param appServicePlanSku string = 'B1'

@minValue(1)
@maxValue(10)
@description('Number of Web App instances; also BOT_INSTANCE_COUNT, so that together they keep to Teams\' rate limits. With autoscale, the maximum instance count (docs/architecture.md, "Several instances").')
param instanceCount int = 1

@description('Cosmos DB capacity mode: serverless (pay per request, the default) or provisioned throughput (autoscale 1000 RU/s on the database).')
param cosmosServerless bool = true

@description('Cosmos DB account name; empty = generated. Set it to a restored account\'s name after a point-in-time restore (docs/operations.md).')
param cosmosAccountName string = ''

@description('Cosmos DB database name (COSMOS_DATABASE).')
param databaseName string = 'integrations-lotse'

@description('Tenants whose Teams activities the bot serves (ALLOWED_TENANT_IDS), comma-separated. Default: this tenant.')
param allowedTenantIds string = tenant().tenantId

@description('Object ids of the directory administrators (ADMIN_AAD_OBJECT_IDS), comma-separated; may stay empty when GRAPH_GROUP_DIRECTORY_ADMINS names a group.')
param adminAadObjectIds string = ''

@description('Turn Microsoft Graph on (GRAPH_ENABLED). Grant the permissions first: docs/deployment.md.')
param graphEnabled bool = false

@description('The app id in the tenant app catalog (GRAPH_TEAMS_CATALOG_APP_ID); empty = looked up by the manifest id.')
param graphTeamsCatalogAppId string = ''

@description('Mailbox (UPN) holding the Koordinierungskreis meetings (GRAPH_MEETING_MAILBOX); empty = no Teams meetings.')
param graphMeetingMailbox string = ''

@description('Mailbox (UPN) reports are e-mailed from when a head cannot be reached (GRAPH_MAIL_FROM); empty = no e-mail.')
param graphMailFrom string = ''

@description('Object id of the Entra group of directory administrators (GRAPH_GROUP_DIRECTORY_ADMINS); empty = none.')
param graphGroupDirectoryAdmins string = ''

@description('Object id of the Entra group of the KfI (GRAPH_GROUP_KFI); empty = the directory file names the KfI.')
param graphGroupKfi string = ''

@description('Object id of the Entra group of the Koordinierungskreis members (GRAPH_GROUP_CIRCLE_MEMBERS); empty = the directory file.')
param graphGroupCircleMembers string = ''

// One head office group and one staff group per authority (GRAPH_GROUP_HEAD_OFFICE_<AUTHORITY>, GRAPH_GROUP_STAFF_<AUTHORITY>).
@description('Object id of the Entra group of the head office of BR Arnsberg (GRAPH_GROUP_HEAD_OFFICE_ARNSBERG); empty = the directory file.')
param graphGroupHeadOfficeArnsberg string = ''
@description('Object id of the Entra group of the head office of BR Detmold (GRAPH_GROUP_HEAD_OFFICE_DETMOLD); empty = the directory file.')
param graphGroupHeadOfficeDetmold string = ''
@description('Object id of the Entra group of the head office of BR Düsseldorf (GRAPH_GROUP_HEAD_OFFICE_DUESSELDORF); empty = the directory file.')
param graphGroupHeadOfficeDuesseldorf string = ''
@description('Object id of the Entra group of the head office of BR Köln (GRAPH_GROUP_HEAD_OFFICE_KOELN); empty = the directory file.')
param graphGroupHeadOfficeKoeln string = ''
@description('Object id of the Entra group of the head office of BR Münster (GRAPH_GROUP_HEAD_OFFICE_MUENSTER); empty = the directory file.')
param graphGroupHeadOfficeMuenster string = ''

@description('Object id of the Entra group of the staff of BR Arnsberg (GRAPH_GROUP_STAFF_ARNSBERG): information posts to all staff or chosen departments; empty = the staff the bot knows.')
param graphGroupStaffArnsberg string = ''
@description('Object id of the Entra group of the staff of BR Detmold (GRAPH_GROUP_STAFF_DETMOLD); empty = the staff the bot knows.')
param graphGroupStaffDetmold string = ''
@description('Object id of the Entra group of the staff of BR Düsseldorf (GRAPH_GROUP_STAFF_DUESSELDORF); empty = the staff the bot knows.')
param graphGroupStaffDuesseldorf string = ''
@description('Object id of the Entra group of the staff of BR Köln (GRAPH_GROUP_STAFF_KOELN); empty = the staff the bot knows.')
param graphGroupStaffKoeln string = ''
@description('Object id of the Entra group of the staff of BR Münster (GRAPH_GROUP_STAFF_MUENSTER); empty = the staff the bot knows.')
param graphGroupStaffMuenster string = ''

@minValue(10)
@maxValue(86400)
@description('Seconds a group\'s members are reused before Graph is asked again (GRAPH_GROUP_CACHE_SECONDS, 10-86400).')
param graphGroupCacheSeconds int = 300

@description('E-mail address of the ministry contact a new IB\'s appointment post is copied to (POST_MINISTRY_CONTACT; needs GRAPH_MAIL_FROM); empty = no copy.')
param postMinistryContact string = ''

// Policy and retention: the defaults are bot/config.ts's own (the consistency test compares them); ranges in docs/configuration.md.
@minValue(1)
@maxValue(60)
@description('Working days an open Anliegen stays untouched before the IB is reminded (REQUEST_REMINDER_WORKING_DAYS, 1-60).')
param requestReminderWorkingDays int = 3
@minValue(2)
@maxValue(120)
@description('Working days untouched before the deputy is told too (REQUEST_ESCALATION_WORKING_DAYS, larger than the reminder days).')
param requestEscalationWorkingDays int = 5
@minValue(1)
@maxValue(3650)
@description('Days closed Anliegen and Vorträge are kept (REQUEST_RETENTION_DAYS, 1-3650).')
param requestRetentionDays int = 365
@minValue(1)
@maxValue(60)
@description('Working days an undecided Vortrag waits before the head and office are reminded (REPORT_REMINDER_WORKING_DAYS, 1-60).')
param reportReminderWorkingDays int = 5
@minValue(1)
@maxValue(60)
@description('The same for a Vortrag marked eilig (REPORT_REMINDER_WORKING_DAYS_URGENT, 1-60).')
param reportReminderWorkingDaysUrgent int = 2
@minValue(1)
@maxValue(60)
@description('The same for a Vortrag marked sehr eilig, not larger than the value for eilig (REPORT_REMINDER_WORKING_DAYS_VERY_URGENT, 1-60).')
param reportReminderWorkingDaysVeryUrgent int = 1
@minValue(0)
@maxValue(20)
@description('Reminders per round of waiting (REPORT_REMINDER_MAX, 0-20).')
param reportReminderMax int = 3
@minValue(1)
@maxValue(60)
@description('Working days a proposed Vortrag date waits unanswered before the side that has to answer is reminded (REPORT_TERMIN_REMINDER_WORKING_DAYS, 1-60).')
param reportTerminReminderWorkingDays int = 2
@minValue(30)
@maxValue(3650)
@description('Days after a Koordinierungskreis meeting before it is deleted (CIRCLE_RETENTION_DAYS, 30-3650).')
param circleRetentionDays int = 730
@minValue(30)
@maxValue(3650)
@description('Days after an information post was sent before it is deleted (POST_RETENTION_DAYS, 30-3650).')
param postRetentionDays int = 365
@minValue(1)
@maxValue(36)
@description('Months after which an IB is asked to confirm their directory entry (DIRECTORY_CONFIRM_MONTHS, 1-36).')
param directoryConfirmMonths int = 6
@minValue(1)
@maxValue(50)
@description('Largest file taken as the paper of a Vortrag, in MB (PAPER_FILE_MAX_MB, 1-50).')
param paperFileMaxMb int = 10
@minValue(1)
@maxValue(90)
@description('Days the Lotse holds a paper file at most until the head side accepted it (PAPER_FILE_RETENTION_DAYS, 1-90).')
param paperFileRetentionDays int = 14
@description('Hosts Teams\' pre-authorised file addresses may point to, comma-separated (TEAMS_FILE_HOSTS).')
param teamsFileHosts string = '*.sharepoint.com'
@minValue(1)
@maxValue(3650)
@description('Days a user profile is kept after its last change once the bot has no chat with the person (USER_IDLE_RETENTION_DAYS, 1-3650).')
param userIdleRetentionDays int = 365
@minValue(30)
@maxValue(3650)
@description('Days an entry of the directory\'s change log is kept (DIRECTORY_AUDIT_RETENTION_DAYS, 30-3650).')
param directoryAuditRetentionDays int = 730
@minValue(1)
@maxValue(3650)
@description('Days a team or group-chat reference is kept after Teams reported the bot gone (CONVERSATION_RETENTION_DAYS, 1-3650).')
param conversationRetentionDays int = 30
@minValue(1)
@maxValue(3650)
@description('Days a notification of no record is kept (OUTBOX_RETENTION_DAYS, 1-3650).')
param outboxRetentionDays int = 30

// Operation: the defaults are bot/config.ts's own.
@minValue(3000)
@maxValue(600000)
@description('Milliseconds a process\'s claim on an outbox delivery lasts (OUTBOX_LEASE_MS).')
param outboxLeaseMs int = 60000
@description('Folder of the send journal on the instance\'s local disk (OUTBOX_JOURNAL_DIR): /tmp is local to each instance on App Service, /home is shared by all and must not be used; \'off\' = none.')
param outboxJournalDir string = '/tmp/integrations-lotse'
@minValue(0)
@maxValue(30)
@description('Proactive calls per second while a burst of turns saturates the process; its notifications follow at Teams\' full rate after it; 0 = always the full rate (DELIVERY_BUSY_CALLS_PER_SECOND).')
param deliveryBusyCallsPerSecond int = 1
@minValue(0)
@maxValue(200)
@description('Seconds a burst of turns holds every proactive call back before DELIVERY_BUSY_CALLS_PER_SECOND applies; a shorter burst\'s notifications all follow it; at most a third of outboxLeaseMs is used (DELIVERY_BUSY_HOLD_SECONDS).')
param deliveryBusyHoldSeconds int = 20
@minValue(1)
@maxValue(3600)
@description('Seconds between the relay\'s sweeps for notifications a stopped process left pending (RELAY_SWEEP_SECONDS).')
param relaySweepSeconds int = 30
@minValue(0)
@maxValue(3600)
@description('Seconds such notifications must be old before the sweep takes them over (RELAY_GRACE_SECONDS).')
param relayGraceSeconds int = 10
@minValue(1)
@maxValue(600)
@description('Seconds between a process\'s looks for due scheduled jobs (JOB_POLL_SECONDS).')
param jobPollSeconds int = 15
@minValue(10)
@maxValue(3600)
@description('Seconds a process\'s claim on a scheduled job lasts; a job whose process died runs again after it (JOB_LEASE_SECONDS).')
param jobLeaseSeconds int = 120
@allowed([ 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent' ])
@description('Log level (LOG_LEVEL).')
param logLevel string = 'info'
@description('Largest request body accepted, e.g. 256kb (MAX_BODY_BYTES).')
param maxBodyBytes string = '256kb'
@minValue(0)
@maxValue(120000)
@description('Milliseconds SIGTERM waits for turns in flight (SHUTDOWN_GRACE_MS).')
param shutdownGraceMs int = 10000
@description('The Teams app id of the uploaded package (TEAMS_APP_ID), for deep links to the tab; empty = MicrosoftAppId, as `npm run package` uses by default.')
param teamsAppId string = ''
@description('Client applications whose SSO tokens the tab API accepts (TAB_SSO_ALLOWED_CLIENT_IDS), comma-separated; empty = Teams desktop, mobile and web.')
param tabSsoAllowedClientIds string = ''

@description('Grant the Graph application permissions to the identity in this deployment (needs Privileged Role Administrator; otherwise run infra/scripts/grant-graph-permissions.sh once).')
param grantGraphPermissions bool = false

@description('Graph application permissions to grant when grantGraphPermissions is true (docs/graph.md).')
param graphPermissions array = [
  'TeamsAppInstallation.ReadWriteSelfForUser.All'
  'User.Read.All'
  'GroupMember.Read.All'
  'Calendars.ReadWrite'
  'Mail.Send'
]

@description('Client id of the personal tab\'s Entra app registration (TAB_APP_ID): exposes api://<host>/<id> with the scope access_as_user (infra/scripts/create-tab-app.sh). The managed identity cannot; empty = the tab says that sign-in is not set up.')
param tabAppId string = ''

@allowed([ 'F0', 'S1' ])
@description('Azure Bot SKU. F0 (free) covers the Teams channel, a standard channel; S1 only matters for premium channels.')
param botSku string = 'F0'

@description('Object id of a person who may read and write the database with their own sign-in (the directory import from a workstation). azd passes the signed-in user (AZURE_PRINCIPAL_ID); empty = nobody but the service.')
param dataAdminPrincipalId string = ''

@description('Tags for every resource.')
param tags object = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, { 'azd-env-name': environmentName })
var appName = 'app-lotse-${resourceToken}'

// ---------------------------------------------------------------------------------------------------------------
// Identity: the bot's app id (MicrosoftAppId) is this identity's client id.

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-lotse-${resourceToken}'
  location: location
  tags: allTags
}

// ---------------------------------------------------------------------------------------------------------------
// Monitoring

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-lotse-${resourceToken}'
  location: location
  tags: allTags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-lotse-${resourceToken}'
  location: location
  tags: allTags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: false
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cosmos DB for NoSQL: Entra ID only (disableLocalAuth), every container declared with partition key and TTL.

// One entry per container of services/storage/containers.ts. defaultTtl -1: Cosmos DB honours each document's own
// `ttl` (the retention the code sets) and expires nothing by itself.
var containers = [
  { name: 'directory', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'users', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'conversations', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'items', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'circle', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'outbox', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'audit', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'questions', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'jobs', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'knowledge', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'figures', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'files', partitionKey: '/pk', defaultTtl: -1 }
  { name: 'posts', partitionKey: '/pk', defaultTtl: -1 }
]

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: empty(cosmosAccountName) ? 'cosmos-lotse-${resourceToken}' : cosmosAccountName
  location: location
  tags: allTags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [
      { locationName: location, failoverPriority: 0, isZoneRedundant: false }
    ]
    capabilities: cosmosServerless ? [ { name: 'EnableServerless' } ] : []
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: { tier: 'Continuous7Days' }
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: cosmos
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: cosmosServerless ? {} : { autoscaleSettings: { maxThroughput: 1000 } }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: {
      id: c.name
      partitionKey: {
        paths: [ c.partitionKey ]
        kind: 'Hash'
        version: 2
      }
      defaultTtl: c.defaultTtl
    }
  }
}]

// Cosmos DB Built-in Data Contributor (a data-plane role, not Azure RBAC) for the identity, on the whole account.
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: identity.properties.principalId
    scope: cosmos.id
  }
}

// The same role for the administrator who imports the directory from a workstation (optional).
resource cosmosDataAdmin 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(dataAdminPrincipalId)) {
  parent: cosmos
  name: guid(cosmos.id, dataAdminPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: dataAdminPrincipalId
    scope: cosmos.id
  }
}

// ---------------------------------------------------------------------------------------------------------------
// App Service: Linux, Node 22 LTS (the code runs on Node 20 and 22), HTTPS only, TLS 1.2+, no FTP.

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: 'plan-lotse-${resourceToken}'
  location: location
  tags: allTags
  kind: 'linux'
  sku: {
    name: appServicePlanSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource web 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(allTags, { 'azd-service-name': 'bot' })
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: 'node --max-old-space-size=256 dist/bot/index.js'
      healthCheckPath: '/readyz'
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

// Every key here is one bot/config.ts reads (or App Service's build reads: SCM_DO_BUILD_DURING_DEPLOYMENT), and every
// key bot/config.ts reads is here unless the consistency test exempts it as local, test-only or a secret. An empty
// value is the same as unset (the code's default). No secret: MicrosoftAppPassword and COSMOS_KEY stay unset.
resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: web
  name: 'appsettings'
  properties: {
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'true'
    MicrosoftAppId: identity.properties.clientId
    MicrosoftAppType: 'UserAssignedMSI'
    MicrosoftAppTenantId: tenant().tenantId
    ALLOWED_TENANT_IDS: allowedTenantIds
    COSMOS_ENDPOINT: cosmos.properties.documentEndpoint
    COSMOS_DATABASE: databaseName
    PUBLIC_BASE_URL: 'https://${web.properties.defaultHostName}'
    BOT_INSTANCE_COUNT: string(instanceCount)
    ADMIN_AAD_OBJECT_IDS: adminAadObjectIds
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    GRAPH_ENABLED: graphEnabled ? 'true' : 'false'
    GRAPH_TEAMS_CATALOG_APP_ID: graphTeamsCatalogAppId
    GRAPH_MEETING_MAILBOX: graphMeetingMailbox
    GRAPH_MAIL_FROM: graphMailFrom
    GRAPH_GROUP_DIRECTORY_ADMINS: graphGroupDirectoryAdmins
    GRAPH_GROUP_KFI: graphGroupKfi
    GRAPH_GROUP_CIRCLE_MEMBERS: graphGroupCircleMembers
    GRAPH_GROUP_HEAD_OFFICE_ARNSBERG: graphGroupHeadOfficeArnsberg
    GRAPH_GROUP_HEAD_OFFICE_DETMOLD: graphGroupHeadOfficeDetmold
    GRAPH_GROUP_HEAD_OFFICE_DUESSELDORF: graphGroupHeadOfficeDuesseldorf
    GRAPH_GROUP_HEAD_OFFICE_KOELN: graphGroupHeadOfficeKoeln
    GRAPH_GROUP_HEAD_OFFICE_MUENSTER: graphGroupHeadOfficeMuenster
    GRAPH_GROUP_STAFF_ARNSBERG: graphGroupStaffArnsberg
    GRAPH_GROUP_STAFF_DETMOLD: graphGroupStaffDetmold
    GRAPH_GROUP_STAFF_DUESSELDORF: graphGroupStaffDuesseldorf
    GRAPH_GROUP_STAFF_KOELN: graphGroupStaffKoeln
    GRAPH_GROUP_STAFF_MUENSTER: graphGroupStaffMuenster
    GRAPH_GROUP_CACHE_SECONDS: string(graphGroupCacheSeconds)
    POST_MINISTRY_CONTACT: postMinistryContact
    REQUEST_REMINDER_WORKING_DAYS: string(requestReminderWorkingDays)
    REQUEST_ESCALATION_WORKING_DAYS: string(requestEscalationWorkingDays)
    REQUEST_RETENTION_DAYS: string(requestRetentionDays)
    REPORT_REMINDER_WORKING_DAYS: string(reportReminderWorkingDays)
    REPORT_REMINDER_WORKING_DAYS_URGENT: string(reportReminderWorkingDaysUrgent)
    REPORT_REMINDER_WORKING_DAYS_VERY_URGENT: string(reportReminderWorkingDaysVeryUrgent)
    REPORT_REMINDER_MAX: string(reportReminderMax)
    REPORT_TERMIN_REMINDER_WORKING_DAYS: string(reportTerminReminderWorkingDays)
    CIRCLE_RETENTION_DAYS: string(circleRetentionDays)
    POST_RETENTION_DAYS: string(postRetentionDays)
    DIRECTORY_CONFIRM_MONTHS: string(directoryConfirmMonths)
    PAPER_FILE_MAX_MB: string(paperFileMaxMb)
    PAPER_FILE_RETENTION_DAYS: string(paperFileRetentionDays)
    TEAMS_FILE_HOSTS: teamsFileHosts
    USER_IDLE_RETENTION_DAYS: string(userIdleRetentionDays)
    DIRECTORY_AUDIT_RETENTION_DAYS: string(directoryAuditRetentionDays)
    CONVERSATION_RETENTION_DAYS: string(conversationRetentionDays)
    OUTBOX_RETENTION_DAYS: string(outboxRetentionDays)
    OUTBOX_LEASE_MS: string(outboxLeaseMs)
    OUTBOX_JOURNAL_DIR: outboxJournalDir
    DELIVERY_BUSY_CALLS_PER_SECOND: string(deliveryBusyCallsPerSecond)
    DELIVERY_BUSY_HOLD_SECONDS: string(deliveryBusyHoldSeconds)
    RELAY_SWEEP_SECONDS: string(relaySweepSeconds)
    RELAY_GRACE_SECONDS: string(relayGraceSeconds)
    JOB_POLL_SECONDS: string(jobPollSeconds)
    JOB_LEASE_SECONDS: string(jobLeaseSeconds)
    LOG_LEVEL: logLevel
    MAX_BODY_BYTES: maxBodyBytes
    SHUTDOWN_GRACE_MS: string(shutdownGraceMs)
    TEAMS_APP_ID: teamsAppId
    TAB_SSO_ALLOWED_CLIENT_IDS: tabSsoAllowedClientIds
    TAB_APP_ID: tabAppId
  }
  dependsOn: [
    cosmosDataContributor
    sqlContainers
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// Azure Bot with the Teams channel, authenticated as the managed identity (no client secret).

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-lotse-${resourceToken}'
  location: 'global'
  tags: allTags
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: 'Integrations-Lotse'
    endpoint: 'https://${web.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: identity.id
    msaAppTenantId: tenant().tenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Optional: Graph application permissions for the identity (Microsoft Graph Bicep extension). Off by default: it
// needs a Privileged Role Administrator as the deployer; infra/scripts/grant-graph-permissions.sh does the same.

module graphGrant 'modules/graphPermissions.bicep' = if (grantGraphPermissions) {
  name: 'graph-permissions'
  params: {
    principalId: identity.properties.principalId
    permissions: graphPermissions
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs: azd writes them into .azure/<env>/.env; `npm run package` and the directory import read them.

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output SERVICE_BOT_NAME string = web.name
output SERVICE_BOT_URI string = 'https://${web.properties.defaultHostName}'
output MicrosoftAppId string = identity.properties.clientId
output MicrosoftAppType string = 'UserAssignedMSI'
output MicrosoftAppTenantId string = tenant().tenantId
output TAB_APP_ID string = tabAppId
output PUBLIC_BASE_URL string = 'https://${web.properties.defaultHostName}'
output COSMOS_ENDPOINT string = cosmos.properties.documentEndpoint
output COSMOS_DATABASE string = databaseName
output BOT_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output BOT_IDENTITY_RESOURCE_ID string = identity.id
output BOT_RESOURCE_NAME string = bot.name
output BOT_DOMAIN string = web.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = web.id
