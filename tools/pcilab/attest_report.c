// SPDX-License-Identifier: MIT
/*
 * The report of one device's CMA-SPDM authentication, as text (pcilab
 * attest, pcilab demo) and as one element of pcilab attest --json.
 *
 * A DMTF measurement block's value is either a digest of the measured
 * content or the content itself: DMTFSpecMeasurementValueType bit 7 set
 * means a raw bit stream (DSP0274 §10.11.1.1 Table 55, "DMTF
 * measurement specification format"). The report names the form and,
 * for a raw value longer than what the kernel side keeps
 * (PCI_CMA_MAX_DIGEST bytes), says how much of it is shown.
 */
#include <stdio.h>

#include "attest.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_wire.h"

static const char *asym_name(uint32_t a)
{
	return spdm_asym_name(a) ? spdm_asym_name(a) : "none";
}

static const char *hash_name(uint32_t h)
{
	return h == SPDM_HASH_SHA384 ? "SHA-384" : h == SPDM_HASH_SHA256 ? "SHA-256" : "none";
}

static const char *dhe_name(uint16_t d)
{
	return d == SPDM_DHE_SECP384R1 ? "secp384r1" : d == SPDM_DHE_SECP256R1 ? "secp256r1" :
	       "none";
}

static const char *meas_type_name(uint8_t t)
{
	switch (t & ~SPDM_DMTF_MEAS_RAW) {
	case SPDM_DMTF_MEAS_IMMUTABLE_ROM: return "immutable ROM";
	case SPDM_DMTF_MEAS_MUTABLE_FW: return "mutable firmware";
	case SPDM_DMTF_MEAS_HW_CONFIG: return "hardware configuration";
	case SPDM_DMTF_MEAS_FW_CONFIG: return "firmware configuration";
	case SPDM_DMTF_MEAS_MANIFEST: return "measurement manifest";
	case SPDM_DMTF_MEAS_DEVICE_MODE: return "device mode";
	case SPDM_DMTF_MEAS_VERSION: return "firmware version";
	case SPDM_DMTF_MEAS_SVN: return "firmware security version";
	case SPDM_DMTF_MEAS_HASH_EXTENDED: return "hash-extended";
	case SPDM_DMTF_MEAS_INFORMATIONAL: return "informational";
	case SPDM_DMTF_MEAS_STRUCT_MANIFEST: return "structured manifest";
	}
	return "other";
}

static bool meas_raw(const struct pci_cma_meas *m)
{
	return m->type & SPDM_DMTF_MEAS_RAW;
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* JSON string body: escape quotes, backslashes and control characters. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void attest_report_text(FILE *f, const struct pci_dev *dev, const struct pci_cma_result *r)
{
	const struct pci_cma_meas *m;
	unsigned int i;

	fprintf(f, "%s [%04x:%04x] DOE @%#x\n", pci_name(dev), dev->vendor, dev->device,
		r->doe_cap);
	if (r->version) {
		fprintf(f, "  SPDM version   %u.%u\n", r->version >> 4, r->version & 0xf);
		fprintf(f, "  algorithms     %s, %s, DHE %s, AEAD %s\n", asym_name(r->asym),
			hash_name(r->hash), dhe_name(r->dhe),
			r->aead == SPDM_AEAD_AES256_GCM ? "AES-256-GCM" : "none");
	}
	for (i = 0; i < r->nr_certs; i++)
		fprintf(f, "  certificate %u  subject %s\n                 issuer  %s\n", i,
			r->certs[i].subject, r->certs[i].issuer);
	for (i = 0; i < r->nr_meas; i++) {
		m = &r->meas[i];
		fprintf(f, "  measurement %-3u type %u (%s), ", m->index,
			m->type & ~SPDM_DMTF_MEAS_RAW, meas_type_name(m->type));
		if (!meas_raw(m)) {
			fprintf(f, "digest ");
			hex(f, m->value, m->size);
		} else {
			fprintf(f, "raw %u byte(s) ", m->value_size);
			hex(f, m->value, m->size);
			if (m->size < m->value_size)
				fprintf(f, "... (first %u shown)", m->size);
		}
		fprintf(f, "\n");
	}
	if (r->status == PCI_CMA_AUTHENTICATED)
		fprintf(f, "  verdict        AUTHENTICATED\n");
	else
		fprintf(f, "  verdict        %s: %s\n",
			r->status == PCI_CMA_UNSUPPORTED ? "UNSUPPORTED" : "FAILED", r->reason);
}

void attest_report_json(FILE *f, const struct pci_dev *dev, const struct pci_cma_result *r,
			bool first)
{
	const struct pci_cma_meas *m;
	unsigned int i;

	fprintf(f, "%s{\"device\":", first ? "" : ",\n");
	jstr(f, pci_name(dev));
	fprintf(f, ",\"vendor\":\"%04x\",\"device_id\":\"%04x\",\"doe_cap\":%u,\"status\":",
		dev->vendor, dev->device, r->doe_cap);
	jstr(f, pci_cma_status_str(r->status));
	fprintf(f, ",\"spdm_version\":\"%u.%u\",\"asym\":\"%s\",\"hash\":\"%s\",\"dhe\":\"%s\"",
		r->version >> 4, r->version & 0xf, asym_name(r->asym), hash_name(r->hash),
		dhe_name(r->dhe));
	fprintf(f, ",\"certificates\":[");
	for (i = 0; i < r->nr_certs; i++) {
		fprintf(f, "%s{\"subject\":", i ? "," : "");
		jstr(f, r->certs[i].subject);
		fprintf(f, ",\"issuer\":");
		jstr(f, r->certs[i].issuer);
		fprintf(f, "}");
	}
	/* "type" is the value type without the form bit; a digest keeps its
	 * "digest" key, a raw bit stream gets "raw" and its full "size". */
	fprintf(f, "],\"measurements\":[");
	for (i = 0; i < r->nr_meas; i++) {
		m = &r->meas[i];
		fprintf(f, "%s{\"index\":%u,\"type\":%u,\"form\":\"%s\",", i ? "," : "", m->index,
			m->type & ~SPDM_DMTF_MEAS_RAW, meas_raw(m) ? "raw" : "digest");
		if (meas_raw(m))
			fprintf(f, "\"size\":%u,\"truncated\":%s,\"raw\":\"", m->value_size,
				m->size < m->value_size ? "true" : "false");
		else
			fprintf(f, "\"digest\":\"");
		hex(f, m->value, m->size);
		fprintf(f, "\"}");
	}
	fprintf(f, "],\"error\":%d,\"reason\":", r->err);
	jstr(f, r->reason);
	fprintf(f, "}");
}
