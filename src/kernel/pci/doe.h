/* SPDX-License-Identifier: MIT */
/*
 * Kernel-side DOE mailbox driver (PCIe r6.2 §6.30, registers §7.9.24), in
 * the shape of Linux's drivers/pci/doe.c, driven purely through config
 * space.
 *
 * pci_doe_probe() walks a function's DOE Extended Capabilities, runs DOE
 * Discovery (§6.30.1.1) on each and records the protocols it lists. Each
 * mailbox has a FIFO of tasks: pci_doe_submit_task() queues one and
 * returns; pci_doe_process() (the "workqueue", run from the event loop or
 * by a waiter) performs queued exchanges in order and calls each task's
 * completion. pci_doe() is the synchronous helper.
 *
 * Time: the platform is single-threaded and has no real time, so each
 * mailbox keeps a virtual clock that advances PCI_DOE_POLL_US per status
 * poll. An exchange whose response is not ready PCI_DOE_TIMEOUT_US (1 s,
 * the DOE timeout of §6.30.2) of virtual time after GO is timed out: the
 * driver sets DOE Abort and polls (same budget) for Busy and Error to
 * clear; a mailbox that does not recover is marked dead (-EIO from then on).
 * Completion is always found by polling, as Linux does. A driver may in
 * addition have the instance signal its DOE interrupt (§6.30.2: Data
 * Object Ready, DOE Error, Busy cleared) with pci_doe_enable_irq(); the
 * vector is the Interrupt Message Number (pci_doe_irq_msgnum()) of the
 * function's MSI-X or MSI (kernel/pci/msi.h). DOE Interrupt Enable is
 * kept set across the driver's GO and Abort writes.
 */
#ifndef PCILAB_KERNEL_PCI_DOE_H
#define PCILAB_KERNEL_PCI_DOE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/list.h"

struct pci_dev;

#define PCI_DOE_VENDOR_PCISIG	0x0001
#define PCI_DOE_TYPE_DISCOVERY	0x00
#define PCI_DOE_TIMEOUT_US	1000000ull	/* PCIe r6.2 §6.30.2: 1 second */
#define PCI_DOE_POLL_US		10000ull	/* virtual time per status poll */
#define PCI_DOE_MAX_PROTOCOLS	256
/* Largest object: Length is 18 bits of DWORDs, 0 meaning 2^18 (§6.30.1). */
#define PCI_DOE_MAX_DW		(1u << 18)

struct pci_doe_protocol {
	uint16_t vendor;
	uint8_t type;
};

struct pci_doe_mb {
	struct list_head node;		/* in pci_doe_dev.mbs */
	struct pci_dev *pdev;
	uint16_t cap;			/* capability offset */
	struct pci_doe_protocol *prots;	/* from Discovery, Discovery included */
	unsigned int nr_prots;
	struct list_head tasks;		/* pending struct pci_doe_task, FIFO */
	uint64_t clock_us;		/* virtual time spent polling */
	bool dead;			/* abort failed: no more exchanges */
	bool irq_enabled;		/* DOE Interrupt Enable kept set */
	unsigned int nr_timeouts, nr_aborts;	/* statistics */
};

/* All mailboxes of one function. */
struct pci_doe_dev {
	struct pci_dev *pdev;
	struct list_head mbs;		/* struct pci_doe_mb, capability order */
	unsigned int nr_mbs;
};

struct pci_doe_task;
typedef void (*pci_doe_complete_fn)(struct pci_doe_task *task);

struct pci_doe_task {
	struct list_head node;		/* in mb->tasks while queued */
	uint16_t vendor;
	uint8_t type;
	const void *request;		/* payload bytes (header added here) */
	size_t request_sz;		/* padded with zeros to a DWORD */
	void *response;			/* payload bytes of the response */
	size_t response_sz;
	/* Out: payload bytes received (a multiple of 4) or -errno: -ETIMEDOUT
	 * (no response, aborted), -EIO (DOE Error, malformed response,
	 * dead mailbox), -EMSGSIZE (response larger than response_sz; the
	 * mailbox was drained), -E2BIG (request too large for a data object). */
	int rc;
	uint8_t rsp_type;		/* Data Object Type of the response */
	pci_doe_complete_fn complete;	/* optional; called once rc is set */
	void *private;
};

/* Find and discover every DOE mailbox of dev. ERR_PTR(-ENOMEM); a function
 * without DOE gets an empty set. A mailbox whose Discovery fails is
 * skipped (logged). */
struct pci_doe_dev *pci_doe_probe(struct pci_dev *dev);
void pci_doe_release(struct pci_doe_dev *dd);

/* First mailbox that lists (vendor, type), or NULL. */
struct pci_doe_mb *pci_doe_find_mailbox(struct pci_doe_dev *dd, uint16_t vendor, uint8_t type);
bool pci_doe_supports_prot(const struct pci_doe_mb *mb, uint16_t vendor, uint8_t type);

/* DOE Interrupt Message Number (§7.9.24.3), or -EOPNOTSUPP when the
 * instance has no DOE Interrupt Support. */
int pci_doe_irq_msgnum(struct pci_doe_mb *mb);
/* Set or clear DOE Interrupt Enable (§7.9.24.4); -EOPNOTSUPP as above. */
int pci_doe_enable_irq(struct pci_doe_mb *mb, bool enable);

/* Set up one mailbox at config offset cap (Discovery included). */
struct pci_doe_mb *pci_doe_create_mb(struct pci_dev *dev, uint16_t cap);
void pci_doe_destroy_mb(struct pci_doe_mb *mb);

/* Queue a task: 0, or -EINVAL (bad task), -EIO (dead mailbox). The
 * completion runs from pci_doe_process(). Pending tasks are completed
 * with -ECANCELED when the mailbox is destroyed. */
int pci_doe_submit_task(struct pci_doe_mb *mb, struct pci_doe_task *task);
/* Run every queued exchange in order; returns how many completed. */
unsigned int pci_doe_process(struct pci_doe_mb *mb);
/* Synchronous exchange: received payload bytes, or -errno (as task.rc). */
int pci_doe(struct pci_doe_mb *mb, uint16_t vendor, uint8_t type, const void *request,
	    size_t request_sz, void *response, size_t response_sz);
/* DOE Abort (§6.30.2) and wait for the mailbox to go idle; -EIO if it did
 * not within PCI_DOE_TIMEOUT_US (mailbox marked dead). */
int pci_doe_abort(struct pci_doe_mb *mb);

#endif /* PCILAB_KERNEL_PCI_DOE_H */
