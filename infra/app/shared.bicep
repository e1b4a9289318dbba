// Compile-time helpers shared by main.bicep and the modules (imported, never deployed).

@export()
@description('Key Vault secret names allow only letters, digits and "-"; app setting names use "_".')
func secretName(setting string) string => replace(setting, '_', '-')

@export()
@description('Built-in role definition IDs (the same GUIDs in every tenant).')
var roleIds = {
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}
