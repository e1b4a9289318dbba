// The Key Vault that holds target passwords. Either created here (RBAC mode) or an existing vault in
// this module's resource group; both get the secrets passed in.
import { roleIds, secretName } from 'shared.bicep'

param name string
param create bool
param location string
param tags object = {}

@secure()
@description('App setting name → secret value. Stored as secretName(setting); the apps read it through a Key Vault reference.')
param secrets object = {}

@description('Principal (the deploying user under azd) granted Key Vault Secrets Officer on a new vault, to add secrets later.')
param adminPrincipalId string = ''

resource newVault 'Microsoft.KeyVault/vaults@2023-07-01' = if (create) {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access by role assignment, like every other grant in this template.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: name
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for s in items(secrets): {
  parent: vault
  name: secretName(s.key)
  properties: {
    value: s.value
  }
  dependsOn: [
    newVault
  ]
}]

resource adminAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (create && !empty(adminPrincipalId)) {
  name: guid(vault.id, adminPrincipalId, roleIds.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsOfficer)
    principalId: adminPrincipalId
  }
  dependsOn: [
    newVault
  ]
}

output name string = name
output uri string = 'https://${name}${environment().suffixes.keyvaultDns}/'
