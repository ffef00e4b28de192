// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "hw/platform/desc.h"
#include "hw/fabric/fabric.h"
#include "hw/security/security.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "kernel/iommu/iommu.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_wire.h"
#include "common.h"

struct tool_opts tool_opts = {
	.log_level = PL_LOG_WARN,
};

const char *tool_platform_name(void)
{
	if (tool_opts.platform_dump)
		return tool_opts.platform_dump;
	if (tool_opts.platform)
		return tool_opts.platform;
	return "built-in default platform";
}

/*
 * CMA at enumeration (--attest-at-boot, docs/cma.md): authenticate every
 * function that answers CMA-SPDM on a DOE mailbox against the platform
 * vendor's published root, one line per device on stderr, the way the
 * kernel logs it. A failure is reported, not fatal: the world still boots.
 */
static void attest_at_boot(struct tool_world *w)
{
	struct pci_cma_result *res;
	X509_STORE *trust;
	struct pci_dev *dev;
	size_t len;
	char *pem;
	int rc;

	if (hw_platform_root_ca_pem(w->hw, &pem, &len)) {
		fprintf(stderr, "pcilab: CMA: the platform publishes no root CA, nothing authenticated\n");
		return;
	}
	trust = pci_cma_trust_from_pem(pem, len);
	free(pem);
	if (IS_ERR(trust)) {
		fprintf(stderr, "pcilab: CMA: the platform's root CA is not a PEM certificate\n");
		return;
	}
	res = malloc(sizeof(*res));
	if (!res) {
		fprintf(stderr, "pcilab: CMA: %s\n", strerror(ENOMEM));
		goto out_trust;
	}
	pci_for_each_dev(w->pci, dev) {
		if (!pci_find_ext_capability(dev, PCI_EXT_CAP_ID_DOE))
			continue;
		rc = pci_cma_authenticate(dev, trust, res);
		if (rc == -ENODEV)
			continue;	/* DOE without CMA */
		if (res->status == PCI_CMA_AUTHENTICATED)
			fprintf(stderr, "pci %s: CMA: authenticated (SPDM %u.%u, %s)\n",
				pci_name(dev), res->version >> 4, res->version & 0xf,
				spdm_asym_name(res->asym) ? spdm_asym_name(res->asym) : "unknown");
		else
			fprintf(stderr, "pci %s: CMA: %s: %s\n", pci_name(dev),
				res->status == PCI_CMA_UNSUPPORTED ? "unsupported" : "failed",
				res->reason[0] ? res->reason : strerror(rc < 0 ? -rc : EIO));
	}
	free(res);
out_trust:
	X509_STORE_free(trust);
}

static bool attest_at_boot_wanted(void)
{
	const char *env = getenv("PCILAB_ATTEST_AT_BOOT");

	return tool_opts.attest_at_boot || (env && !strcmp(env, "1"));
}

int tool_world_boot(struct tool_world *w)
{
	char err[512] = "";
	int status = 1;

	memset(w, 0, sizeof(*w));
	pl_log_set_level(tool_opts.log_level);

	if (tool_opts.platform && tool_opts.platform_dump) {
		fprintf(stderr, "pcilab: --platform and --platform-dump exclude each other\n");
		return 2;
	}
	if (tool_opts.platform_dump)
		w->desc = hw_desc_parse_lspci_dump(tool_opts.platform_dump, err, sizeof(err));
	else if (tool_opts.platform)
		w->desc = hw_desc_parse_file(tool_opts.platform, err, sizeof(err));
	else
		w->desc = hw_desc_default(err, sizeof(err));
	if (IS_ERR(w->desc)) {
		long e = PTR_ERR(w->desc);

		w->desc = NULL;
		if (err[0])
			fprintf(stderr, "pcilab: %s\n", err);
		else
			fprintf(stderr, "pcilab: %s: %s\n", tool_platform_name(), strerror((int)-e));
		/* A file we could not read or understand is bad input. */
		return e == -ENOMEM ? 1 : 2;
	}

	err[0] = '\0';
	w->hw = hw_platform_create(w->desc, err, sizeof(err));
	if (IS_ERR(w->hw)) {
		long e = PTR_ERR(w->hw);

		w->hw = NULL;
		fprintf(stderr, "pcilab: %s\n", err[0] ? err : strerror((int)-e));
		status = e == -EINVAL ? 2 : 1;
		goto err_free_desc;
	}

	w->pci = pci_subsys_create(w->hw);
	if (IS_ERR(w->pci)) {
		fprintf(stderr, "pcilab: PCI enumeration failed: %s\n",
			strerror((int)-PTR_ERR(w->pci)));
		w->pci = NULL;
		goto err_destroy_hw;
	}

	w->iommu = iommu_subsys_create(w->pci, NULL);
	if (IS_ERR(w->iommu)) {
		fprintf(stderr, "pcilab: IOMMU setup failed: %s\n",
			strerror((int)-PTR_ERR(w->iommu)));
		w->iommu = NULL;
		goto err_destroy_pci;
	}
	if (attest_at_boot_wanted())
		attest_at_boot(w);
	return 0;

err_destroy_pci:
	pci_subsys_destroy(w->pci);
	w->pci = NULL;
err_destroy_hw:
	hw_platform_destroy(w->hw);
	w->hw = NULL;
err_free_desc:
	hw_desc_free(w->desc);
	w->desc = NULL;
	return status;
}

void tool_world_shutdown(struct tool_world *w)
{
	if (w->iommu)
		iommu_subsys_destroy(w->iommu);
	if (w->pci)
		pci_subsys_destroy(w->pci);
	if (w->hw)
		hw_platform_destroy(w->hw);
	if (w->desc)
		hw_desc_free(w->desc);
	memset(w, 0, sizeof(*w));
}

int tool_parse_bdf(const char *s, int *dom, unsigned int *bus, unsigned int *devfn)
{
	unsigned int d = 0, b, sl, fn;
	char tail;

	if (sscanf(s, "%x:%x:%x.%x%c", &d, &b, &sl, &fn, &tail) != 4) {
		d = 0;
		if (sscanf(s, "%x:%x.%x%c", &b, &sl, &fn, &tail) != 3)
			return -EINVAL;
	}
	if (d > 0xffff || b > 0xff || sl > 0x1f || fn > 7)
		return -EINVAL;
	*dom = (int)d;
	*bus = b;
	*devfn = PCI_DEVFN(sl, fn);
	return 0;
}

char *tool_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
			if (!errno)
				errno = EIO;
		}
	}
	fclose(f);
	return buf;
}

X509_STORE *tool_vendor_trust(struct tool_world *w)
{
	X509_STORE *trust;
	size_t len;
	char *pem;

	if (hw_platform_root_ca_pem(w->hw, &pem, &len))
		return NULL;
	trust = pci_cma_trust_from_pem(pem, len);
	free(pem);
	return IS_ERR(trust) ? NULL : trust;
}
