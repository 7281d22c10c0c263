// A valid one-page PDF built in memory, so setup can upload a resource without shipping a binary
// fixture (k6's open() would also need a path that survives `k6 archive` for the distributed run).
// It is padded past 64 KiB so the journey's `Range: bytes=0-65535` download is a true partial.

const PADDING_BYTES = 96 * 1024;

export function samplePdf() {
  const pageText = 'BT /F1 18 Tf 72 720 Td (Portico load test resource) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${pageText.length} >>\nstream\n${pageText}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  // PDF comment lines are ignored by readers; the xref offsets below account for them.
  const paddingLine = `%${'x'.repeat(78)}\n`;
  let pdf = `%PDF-1.4\n${paddingLine.repeat(Math.ceil(PADDING_BYTES / paddingLine.length))}`;
  const offsets = objects.map((object, index) => {
    const offset = pdf.length;
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xrefOffset = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return pdf;
}
