#!/usr/bin/env bash
# Installs the offline UBL 2.1 e-invoice validators (XSD + schematron-as-XSLT) from Maven Central.
#
# Artifacts (pinned):
#   net.sf.saxon:Saxon-HE                        XSLT 2/3 processor for the schematron XSLTs
#   org.xmlresolver:xmlresolver (+ :data)        runtime dependency of Saxon-HE 12
#   com.helger.ubl:ph-ubl21                      UBL 2.1 XSDs (external/schemas/ubl21/...)
#   com.helger.xsd:ph-xsds-{ccts-cct-schemamodule,xmldsig,xades132,xades141}
#                                                XSDs that ph-ubl21 imports without schemaLocation;
#                                                we patch the schemaLocations in so the set is self-contained
#   com.helger.phive.rules:phive-rules-en16931   CEN EN 16931 UBL validation XSLT
#   com.helger.phive.rules:phive-rules-peppol    OpenPeppol BIS Billing 3.0 XSLT
#   com.helger.phive.rules:phive-rules-simplerinvoicing  SI-UBL 2.0 (NLCIUS) XSLT
#
# Writes $REPO/.tools/validators.env with these KEY=VALUE lines (absolute paths):
#   VALIDATORS_DIR          the cache folder below
#   SAXON_JAR               Saxon-HE jar
#   VALIDATOR_CLASSPATH     Saxon-HE + xmlresolver jars, ':'-separated (use as java -cp)
#   VALIDATE_JAVA           scripts/validators/Validate.java (single-file source program)
#   UBL_INVOICE_XSD         UBL-Invoice-2.1.xsd
#   UBL_CREDITNOTE_XSD      UBL-CreditNote-2.1.xsd
#   EN16931_UBL_XSLT        CEN EN 16931 rules, UBL binding
#   PEPPOL_XSLT             Peppol BIS Billing 3.0 rules (PEPPOL-EN16931-UBL.xslt)
#   NLCIUS_XSLT             SimplerInvoicing SI-UBL 2.0 / NLCIUS rules
#   PEPPOL_RULES_VERSION, EN16931_RULES_VERSION, NLCIUS_RULES_VERSION  (informational)
#
# Cache: ${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}/validators-<key>/
# Idempotent: a second run only checks a marker file and rewrites the env file.
set -euo pipefail

SAXON_VERSION=12.9
XMLRESOLVER_VERSION=5.3.3
PH_UBL_VERSION=10.2.0
PH_XSDS_VERSION=4.1.0
PHIVE_EN16931_VERSION=4.3.7
PHIVE_PEPPOL_VERSION=4.3.7
PHIVE_SI_VERSION=4.2.3
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

# Rule-set versions inside the phive jars.
EN16931_RULES=1.3.16
PEPPOL_RULES=2026.5
NLCIUS_RULES=2.0.3.12

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${EENVOUD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eenvoud/tools}"
key=$(printf '%s\n' "$SAXON_VERSION" "$XMLRESOLVER_VERSION" "$PH_UBL_VERSION" "$PH_XSDS_VERSION" \
  "$PHIVE_EN16931_VERSION" "$PHIVE_PEPPOL_VERSION" "$PHIVE_SI_VERSION" \
  "$EN16931_RULES" "$PEPPOL_RULES" "$NLCIUS_RULES" | sha256sum | cut -c1-12)
dir="$cache/validators-$key"
envfile="$root/.tools/validators.env"

say() { echo "[validators] $*" >&2; }

write_env() {
  mkdir -p "$root/.tools"
  cat > "$envfile.tmp" <<ENV
VALIDATORS_DIR=$dir
SAXON_JAR=$dir/jars/Saxon-HE-$SAXON_VERSION.jar
VALIDATOR_CLASSPATH=$dir/jars/Saxon-HE-$SAXON_VERSION.jar:$dir/jars/xmlresolver-$XMLRESOLVER_VERSION.jar:$dir/jars/xmlresolver-$XMLRESOLVER_VERSION-data.jar
VALIDATE_JAVA=$root/scripts/validators/Validate.java
UBL_INVOICE_XSD=$dir/xsd/maindoc/UBL-Invoice-2.1.xsd
UBL_CREDITNOTE_XSD=$dir/xsd/maindoc/UBL-CreditNote-2.1.xsd
EN16931_UBL_XSLT=$dir/xslt/EN16931-UBL-validation-$EN16931_RULES.xslt
PEPPOL_XSLT=$dir/xslt/PEPPOL-EN16931-UBL-$PEPPOL_RULES.xslt
NLCIUS_XSLT=$dir/xslt/si-ubl-$NLCIUS_RULES.xslt
EN16931_RULES_VERSION=$EN16931_RULES
PEPPOL_RULES_VERSION=$PEPPOL_RULES
NLCIUS_RULES_VERSION=$NLCIUS_RULES
ENV
  mv "$envfile.tmp" "$envfile"
}

if [ -f "$dir/.complete" ]; then
  write_env
  exit 0
fi

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "ERROR: '$tool' is not installed. Install a JDK (11+) and Maven (Debian: apt-get install default-jdk maven)."
    exit 1
  fi
done

extract() { # jar dest-dir pattern...
  local jar=$1 dest=$2
  shift 2
  mkdir -p "$dest"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$jar" "$@" -d "$dest"
  else
    (cd "$dest" && jar xf "$jar" "$@")
  fi
}

say "installing validators into $dir (first time only)"
tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/jars" "$tmp/x"
trap 'rm -rf "$tmp"' EXIT

artifacts=(
  "net.sf.saxon:Saxon-HE:$SAXON_VERSION"
  "org.xmlresolver:xmlresolver:$XMLRESOLVER_VERSION"
  "org.xmlresolver:xmlresolver:$XMLRESOLVER_VERSION:jar:data"
  "com.helger.ubl:ph-ubl21:$PH_UBL_VERSION"
  "com.helger.xsd:ph-xsds-ccts-cct-schemamodule:$PH_XSDS_VERSION"
  "com.helger.xsd:ph-xsds-xmldsig:$PH_XSDS_VERSION"
  "com.helger.xsd:ph-xsds-xades132:$PH_XSDS_VERSION"
  "com.helger.xsd:ph-xsds-xades141:$PH_XSDS_VERSION"
  "com.helger.phive.rules:phive-rules-en16931:$PHIVE_EN16931_VERSION"
  "com.helger.phive.rules:phive-rules-peppol:$PHIVE_PEPPOL_VERSION"
  "com.helger.phive.rules:phive-rules-simplerinvoicing:$PHIVE_SI_VERSION"
)
# dependency:copy takes one artifact per call and needs no pom.
for a in "${artifacts[@]}"; do
  if ! mvn -q -B "$DEP_PLUGIN:copy" -Dartifact="$a" -Dmdep.useBaseVersion=true \
    -DoutputDirectory="$tmp/jars" >>"$tmp/mvn.log" 2>&1; then
    cat "$tmp/mvn.log" >&2
    say "ERROR: could not fetch $a from Maven Central (see the Maven output above)"
    exit 1
  fi
done

j="$tmp/jars"
# UBL 2.1 XSDs
extract "$j/ph-ubl21-$PH_UBL_VERSION.jar" "$tmp/x" 'external/schemas/ubl21/*'
mv "$tmp/x/external/schemas/ubl21" "$tmp/xsd"
for a in ccts-cct-schemamodule xmldsig xades132 xades141; do
  extract "$j/ph-xsds-$a-$PH_XSDS_VERSION.jar" "$tmp/x" 'schemas/*.xsd'
done
cp "$tmp/x/schemas/"*.xsd "$tmp/xsd/common/"
# ph-ubl21 / ph-xsds drop schemaLocation on some imports (they resolve via JAXB catalogs);
# put them back so plain javax.xml.validation can load the set from disk.
patch_import() { # file namespace location
  NS="$2" LOC="$3" perl -0pi -e \
    's{(<xsd?:import\s+namespace="\Q$ENV{NS}\E")(\s*/>)}{$1 schemaLocation="$ENV{LOC}"$2}g' "$1"
}
c="$tmp/xsd/common"
patch_import "$c/UBL-UnqualifiedDataTypes-2.1.xsd" "urn:un:unece:uncefact:data:specification:CoreComponentTypeSchemaModule:2" CCTS_CCT_SchemaModule.xsd
patch_import "$c/UBL-SignatureAggregateComponents-2.1.xsd" "http://www.w3.org/2000/09/xmldsig#" xmldsig-core-schema.xsd
patch_import "$c/UBL-SignatureAggregateComponents-2.1.xsd" "http://uri.etsi.org/01903/v1.3.2#" XAdES01903v132-201601.xsd
patch_import "$c/UBL-SignatureAggregateComponents-2.1.xsd" "http://uri.etsi.org/01903/v1.4.1#" XAdES01903v141-201601.xsd
patch_import "$c/XAdES01903v132-201601.xsd" "http://www.w3.org/2000/09/xmldsig#" xmldsig-core-schema.xsd
patch_import "$c/XAdES01903v141-201601.xsd" "http://www.w3.org/2000/09/xmldsig#" xmldsig-core-schema.xsd
patch_import "$c/XAdES01903v141-201601.xsd" "http://uri.etsi.org/01903/v1.3.2#" XAdES01903v132-201601.xsd
if grep -l -E '<xsd?:import[^>]*namespace="[^"]*"[[:space:]]*/>' "$tmp/xsd"/*/*.xsd >/dev/null 2>&1; then
  say "WARNING: some XSD imports still lack a schemaLocation:"
  grep -l -E '<xsd?:import[^>]*namespace="[^"]*"[[:space:]]*/>' "$tmp/xsd"/*/*.xsd >&2 || true
fi

# Schematron XSLTs
mkdir -p "$tmp/xslt"
extract "$j/phive-rules-en16931-$PHIVE_EN16931_VERSION.jar" "$tmp/x" "external/schematron/$EN16931_RULES/ubl/*"
cp "$tmp/x/external/schematron/$EN16931_RULES/ubl/EN16931-UBL-validation.xslt" "$tmp/xslt/EN16931-UBL-validation-$EN16931_RULES.xslt"
extract "$j/phive-rules-peppol-$PHIVE_PEPPOL_VERSION.jar" "$tmp/x" "external/schematron/openpeppol/$PEPPOL_RULES/xslt/*"
cp "$tmp/x/external/schematron/openpeppol/$PEPPOL_RULES/xslt/PEPPOL-EN16931-UBL.xslt" "$tmp/xslt/PEPPOL-EN16931-UBL-$PEPPOL_RULES.xslt"
cp "$tmp/x/external/schematron/openpeppol/$PEPPOL_RULES/xslt/CEN-EN16931-UBL.xslt" "$tmp/xslt/CEN-EN16931-UBL-peppol-$PEPPOL_RULES.xslt"
extract "$j/phive-rules-simplerinvoicing-$PHIVE_SI_VERSION.jar" "$tmp/x" "external/schematron/simplerinvoicing/si-ubl-$NLCIUS_RULES.xslt"
cp "$tmp/x/external/schematron/simplerinvoicing/si-ubl-$NLCIUS_RULES.xslt" "$tmp/xslt/"
rm -rf "$tmp/x" "$tmp/mvn.log"

touch "$tmp/.complete"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
write_env
say "ready: EN16931 $EN16931_RULES, Peppol BIS Billing 3.0 ($PEPPOL_RULES), SI-UBL/NLCIUS $NLCIUS_RULES, Saxon-HE $SAXON_VERSION -> $envfile"
