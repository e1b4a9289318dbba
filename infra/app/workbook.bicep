// The sqlprobe workbook, stored against the Application Insights component so its queries run there.

param location string
param tags object = {}
param appInsightsId string
param displayName string = 'sqlprobe'

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; derive one so redeploying updates the same workbook.
  name: guid(appInsightsId, 'sqlprobe-workbook')
  location: location
  tags: union(tags, {
    'hidden-title': displayName
  })
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsightsId
    version: 'Notebook/1.0'
    // fallbackResourceIds is what the workbook queries when it is opened without a resource in
    // context (from the Workbooks gallery or a shared link), so it always opens on this component.
    serializedData: string(union(loadJsonContent('workbook.json'), {
      fallbackResourceIds: [
        appInsightsId
      ]
    }))
  }
}

output id string = workbook.id
