/** The dbchangelog XSDs, bundled at build time by scripts/liquibase-xsd.mjs (base64 of a gzipped JSON map). */
declare module 'virtual:liquibase-xsd' {
  const packed: string
  export default packed
}
