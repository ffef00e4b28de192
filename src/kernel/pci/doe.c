// SPDX-License-Identifier: MIT
/*
 * DOE mailbox driver over config space (see doe.h). Register protocol of
 * PCIe r6.2 §6.30.2:
 *   - a request is written only while DOE Busy is clear: each DWORD of the
 *     object (header first) to the Write Data Mailbox, then DOE Go;
 *   - the response is ready when Data Object Ready is set: each DWORD is
 *     read from the Read Data Mailbox and acknowledged by writing the Read
 *     Data Mailbox (any value), which advances to the next DWORD;
 *   - DOE Error means the instance dropped the object; DOE Abort clears
 *     Error and Busy (within 1 s) and discards anything in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/pci/doe.h"
#include "kernel/pci/pci.h"

static int doe_read(struct pci_doe_mb *mb, int reg, uint32_t *v)
{
	return pci_read_config_dword(mb->pdev, mb->cap + reg, v);
}

static int doe_write(struct pci_doe_mb *mb, int reg, uint32_t v)
{
	return pci_write_config_dword(mb->pdev, mb->cap + reg, v);
}

/* DOE Control is written whole: keep the driver's Interrupt Enable. */
static uint32_t doe_ctrl_keep(const struct pci_doe_mb *mb)
{
	return mb->irq_enabled ? PCI_DOE_CTRL_INT_EN : 0;
}

int pci_doe_irq_msgnum(struct pci_doe_mb *mb)
{
	uint32_t cap;
	int rc;

	rc = doe_read(mb, PCI_DOE_CAP, &cap);
	if (rc < 0)
		return rc;
	if (cap == 0xffffffffu || !(cap & PCI_DOE_CAP_INT_SUP))
		return -EOPNOTSUPP;
	return (int)((cap & PCI_DOE_CAP_INT_MSG_NUM) >> 1);
}

int pci_doe_enable_irq(struct pci_doe_mb *mb, bool enable)
{
	int rc = pci_doe_irq_msgnum(mb);

	if (rc < 0)
		return rc;
	rc = doe_write(mb, PCI_DOE_CTRL, enable ? PCI_DOE_CTRL_INT_EN : 0);
	if (rc < 0)
		return rc;
	mb->irq_enabled = enable;
	return 0;
}

int pci_doe_abort(struct pci_doe_mb *mb)
{
	uint64_t start = mb->clock_us;
	uint32_t sta;

	mb->nr_aborts++;
	if (doe_write(mb, PCI_DOE_CTRL, PCI_DOE_CTRL_ABORT | doe_ctrl_keep(mb)) < 0)
		goto dead;
	/* §6.30.2: Busy and Error clear once the abort completes. */
	for (;;) {
		if (doe_read(mb, PCI_DOE_STATUS, &sta) < 0 || sta == 0xffffffffu)
			goto dead;
		if (!(sta & (PCI_DOE_STATUS_BUSY | PCI_DOE_STATUS_ERROR)))
			return 0;
		if (mb->clock_us - start >= PCI_DOE_TIMEOUT_US)
			goto dead;
		mb->clock_us += PCI_DOE_POLL_US;
	}
dead:
	pl_warn("%s: DOE @%#x: abort did not complete, mailbox disabled",
		mb->pdev->name, mb->cap);
	mb->dead = true;
	return -EIO;
}

/* Wait for Busy to clear before writing (§6.30.2). */
static int doe_wait_idle(struct pci_doe_mb *mb)
{
	uint64_t start = mb->clock_us;
	uint32_t sta;

	for (;;) {
		if (doe_read(mb, PCI_DOE_STATUS, &sta) < 0 || sta == 0xffffffffu)
			return -EIO;
		if (sta & PCI_DOE_STATUS_ERROR)
			return pci_doe_abort(mb);	/* leftover error: start clean */
		if (!(sta & PCI_DOE_STATUS_BUSY))
			return 0;
		if (mb->clock_us - start >= PCI_DOE_TIMEOUT_US)
			return pci_doe_abort(mb);
		mb->clock_us += PCI_DOE_POLL_US;
	}
}

static int doe_send(struct pci_doe_mb *mb, const struct pci_doe_task *t)
{
	const uint8_t *p = t->request;
	size_t ndw = 2 + (t->request_sz + 3) / 4, i, j;
	int rc;

	if (ndw > PCI_DOE_MAX_DW)
		return -E2BIG;
	rc = doe_wait_idle(mb);
	if (rc)
		return rc;
	/* §6.30.1 header: Vendor ID, Data Object Type; Length in DW (2^18 -> 0). */
	rc = doe_write(mb, PCI_DOE_WRITE, t->vendor | (uint32_t)t->type << 16);
	if (!rc)
		rc = doe_write(mb, PCI_DOE_WRITE,
			       (uint32_t)ndw & PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH);
	for (i = 0; !rc && i < ndw - 2; i++) {
		uint32_t v = 0;

		for (j = 0; j < 4 && 4 * i + j < t->request_sz; j++)
			v |= (uint32_t)p[4 * i + j] << (8 * j);
		rc = doe_write(mb, PCI_DOE_WRITE, v);
	}
	if (!rc)
		rc = doe_write(mb, PCI_DOE_CTRL, PCI_DOE_CTRL_GO | doe_ctrl_keep(mb));
	return rc ? -EIO : 0;
}

/* Read one DWORD and acknowledge it (§7.9.24.7). */
static int doe_pop(struct pci_doe_mb *mb, uint32_t *v)
{
	if (doe_read(mb, PCI_DOE_READ, v) < 0 || doe_write(mb, PCI_DOE_READ, 0) < 0)
		return -EIO;
	return 0;
}

static int doe_recv(struct pci_doe_mb *mb, struct pci_doe_task *t)
{
	uint64_t start = mb->clock_us;
	uint8_t *out = t->response;
	size_t len, i, j, got = 0;
	uint32_t sta, v;
	bool overflow = false;

	for (;;) {
		if (doe_read(mb, PCI_DOE_STATUS, &sta) < 0 || sta == 0xffffffffu)
			return -EIO;
		if (sta & PCI_DOE_STATUS_ERROR)
			goto err_abort;
		if (sta & PCI_DOE_STATUS_DATA_OBJECT_READY)
			break;
		if (mb->clock_us - start >= PCI_DOE_TIMEOUT_US) {
			mb->nr_timeouts++;
			pl_info("%s: DOE @%#x: no response within %llu us, aborting",
				mb->pdev->name, mb->cap, (unsigned long long)PCI_DOE_TIMEOUT_US);
			pci_doe_abort(mb);
			return -ETIMEDOUT;
		}
		mb->clock_us += PCI_DOE_POLL_US;
	}
	if (doe_pop(mb, &v))
		return -EIO;
	/* The response answers the request's protocol (§6.30.1); a secured
	 * CMA exchange may answer in the clear, so only the vendor must match. */
	if ((v & PCI_DOE_DATA_OBJECT_HEADER_1_VID) != t->vendor)
		goto err_abort;
	t->rsp_type = (uint8_t)((v & PCI_DOE_DATA_OBJECT_HEADER_1_TYPE) >> 16);
	if (doe_pop(mb, &v))
		return -EIO;
	len = v & PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH;
	if (!len)
		len = PCI_DOE_MAX_DW;
	if (len < 2)
		goto err_abort;
	for (i = 0; i < len - 2; i++) {
		if (doe_pop(mb, &v))
			return -EIO;
		if (got + 4 > t->response_sz) {
			overflow = true;	/* keep draining the object */
			continue;
		}
		for (j = 0; j < 4; j++)
			out[got + j] = (uint8_t)(v >> (8 * j));
		got += 4;
	}
	/* Ready must drop with the last DWORD (§6.30.2); Error means the
	 * instance gave up mid-object. */
	if (doe_read(mb, PCI_DOE_STATUS, &sta) < 0 ||
	    (sta & (PCI_DOE_STATUS_ERROR | PCI_DOE_STATUS_DATA_OBJECT_READY)))
		goto err_abort;
	return overflow ? -EMSGSIZE : (int)got;
err_abort:
	pci_doe_abort(mb);
	return -EIO;
}

static int doe_exchange(struct pci_doe_mb *mb, struct pci_doe_task *t)
{
	int rc;

	if (mb->dead)
		return -EIO;
	if (should_fail("pci_doe_exchange"))
		return -EIO;
	rc = doe_send(mb, t);
	if (rc)
		return rc;
	return doe_recv(mb, t);
}

static int doe_task_check(const struct pci_doe_mb *mb, const struct pci_doe_task *task)
{
	if (!task || (task->request_sz && !task->request) ||
	    (task->response_sz && !task->response))
		return -EINVAL;
	if (mb->dead)
		return -EIO;
	return 0;
}

int pci_doe_submit_task(struct pci_doe_mb *mb, struct pci_doe_task *task)
{
	int rc = doe_task_check(mb, task);

	if (rc)
		return rc;
	task->rc = -EINPROGRESS;
	list_add_tail(&task->node, &mb->tasks);
	return 0;
}

unsigned int pci_doe_process(struct pci_doe_mb *mb)
{
	struct pci_doe_task *t;
	unsigned int n = 0;

	while (!list_empty(&mb->tasks)) {
		t = list_first_entry(&mb->tasks, struct pci_doe_task, node);
		list_del(&t->node);
		t->rc = doe_exchange(mb, t);
		n++;
		/* The completion may free or resubmit the task. */
		if (t->complete)
			t->complete(t);
	}
	return n;
}

int pci_doe(struct pci_doe_mb *mb, uint16_t vendor, uint8_t type, const void *request,
	    size_t request_sz, void *response, size_t response_sz)
{
	struct pci_doe_task t = {
		.vendor = vendor, .type = type,
		.request = request, .request_sz = request_sz,
		.response = response, .response_sz = response_sz,
	};
	int rc;

	rc = doe_task_check(mb, &t);
	if (rc)
		return rc;
	/* Tasks queued before ours run first, in order; ours never sits on
	 * the queue, so no stack object is ever linked into the mailbox. */
	pci_doe_process(mb);
	if (mb->dead)
		return -EIO;
	return doe_exchange(mb, &t);
}

/* DOE Discovery (§6.30.1.1): request DW2 Index 7:0 (Version 15:8 = 0),
 * response Vendor ID 15:0, Data Object Protocol 23:16, Next Index 31:24. */
static int doe_discover(struct pci_doe_mb *mb)
{
	struct pci_doe_protocol *prots;
	uint32_t req, rsp;
	unsigned int idx = 0, n = 0;
	int rc;

	prots = pl_calloc(PCI_DOE_MAX_PROTOCOLS, sizeof(*prots));
	if (!prots)
		return -ENOMEM;
	do {
		req = idx;
		rc = pci_doe(mb, PCI_DOE_VENDOR_PCISIG, PCI_DOE_TYPE_DISCOVERY, &req, 4,
			     &rsp, sizeof(rsp));
		if (rc != 4) {
			free(prots);
			return rc < 0 ? rc : -EIO;
		}
		prots[n].vendor = (uint16_t)(rsp & PCI_DOE_DATA_OBJECT_DISC_RSP_3_VID);
		prots[n].type = (uint8_t)((rsp & PCI_DOE_DATA_OBJECT_DISC_RSP_3_PROTOCOL) >> 16);
		n++;
		idx = (rsp & PCI_DOE_DATA_OBJECT_DISC_RSP_3_NEXT_INDEX) >> 24;
	} while (idx && n < PCI_DOE_MAX_PROTOCOLS);
	mb->prots = prots;
	mb->nr_prots = n;
	return 0;
}

struct pci_doe_mb *pci_doe_create_mb(struct pci_dev *dev, uint16_t cap)
{
	struct pci_doe_mb *mb;
	int rc;

	mb = pl_zalloc(sizeof(*mb));
	if (!mb)
		return ERR_PTR(-ENOMEM);
	mb->pdev = dev;
	mb->cap = cap;
	INIT_LIST_HEAD(&mb->tasks);
	INIT_LIST_HEAD(&mb->node);
	/* Start from a known state: whatever a previous owner left is dropped. */
	rc = pci_doe_abort(mb);
	if (!rc)
		rc = doe_discover(mb);
	if (rc) {
		free(mb);
		return ERR_PTR(rc);
	}
	return mb;
}

void pci_doe_destroy_mb(struct pci_doe_mb *mb)
{
	struct pci_doe_task *t, *n;

	if (IS_ERR_OR_NULL(mb))
		return;
	list_for_each_entry_safe(t, n, &mb->tasks, node) {
		list_del(&t->node);
		t->rc = -ECANCELED;
		if (t->complete)
			t->complete(t);
	}
	free(mb->prots);
	free(mb);
}

bool pci_doe_supports_prot(const struct pci_doe_mb *mb, uint16_t vendor, uint8_t type)
{
	unsigned int i;

	for (i = 0; i < mb->nr_prots; i++)
		if (mb->prots[i].vendor == vendor && mb->prots[i].type == type)
			return true;
	return false;
}

struct pci_doe_dev *pci_doe_probe(struct pci_dev *dev)
{
	struct pci_doe_dev *dd;
	struct pci_doe_mb *mb;
	uint16_t pos = 0;

	dd = pl_zalloc(sizeof(*dd));
	if (!dd)
		return ERR_PTR(-ENOMEM);
	dd->pdev = dev;
	INIT_LIST_HEAD(&dd->mbs);
	while ((pos = pci_find_next_ext_capability(dev, pos, PCI_EXT_CAP_ID_DOE))) {
		mb = pci_doe_create_mb(dev, pos);
		if (IS_ERR(mb)) {
			if (PTR_ERR(mb) == -ENOMEM) {
				pci_doe_release(dd);
				return ERR_PTR(-ENOMEM);
			}
			pl_warn("%s: DOE @%#x: discovery failed (%ld), mailbox ignored",
				dev->name, pos, PTR_ERR(mb));
			continue;
		}
		list_add_tail(&mb->node, &dd->mbs);
		dd->nr_mbs++;
	}
	return dd;
}

void pci_doe_release(struct pci_doe_dev *dd)
{
	struct pci_doe_mb *mb, *n;

	if (IS_ERR_OR_NULL(dd))
		return;
	list_for_each_entry_safe(mb, n, &dd->mbs, node) {
		list_del(&mb->node);
		pci_doe_destroy_mb(mb);
	}
	free(dd);
}

struct pci_doe_mb *pci_doe_find_mailbox(struct pci_doe_dev *dd, uint16_t vendor, uint8_t type)
{
	struct pci_doe_mb *mb;

	list_for_each_entry(mb, &dd->mbs, node)
		if (!mb->dead && pci_doe_supports_prot(mb, vendor, type))
			return mb;
	return NULL;
}
