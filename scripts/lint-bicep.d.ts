/** Every .bicep file below dir, sorted. */
export function bicepFiles(dir: string): string[];
/** ERROR and MISSING nodes in one Bicep source, as "line:column message" (1-based). */
export function bicepSyntaxErrors(source: string): string[];
