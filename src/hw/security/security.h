/* SPDX-License-Identifier: MIT */
/*
 * hw/security: device-side security firmware. For now the SPDM responder
 * (DSP0274 1.2/1.3) every function with a DOE capability runs behind its
 * first DOE mailbox, serving the CMA-SPDM binding of PCIe r6.2 §6.31.3:
 * data object type 01h (SPDM) and 02h (secured SPDM, DSP0277), vendor
 * 0001h, next to DOE Discovery which cap_doe.c answers.
 *
 * Identity: one vendor root CA per platform; each device has its own
 * intermediate CA and leaf (ECDSA P-384, SHA-384), and four measurement
 * blocks: firmware image (index 1), hardware identity registers (2), the
 * firmware's SPDM configuration (3) and its version string (4).
 *
 * Keys and certificates are made lazily, when a device first answers an
 * SPDM request or the root is exported: building a platform stays cheap
 * for everything that never speaks SPDM. Certificates are valid from one
 * day before provisioning for ten years (wall clock: X.509 validity is
 * checked against real time by relying parties).
 */
#ifndef PCILAB_HW_SECURITY_H
#define PCILAB_HW_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hw_platform;
struct hw_pcidev;
struct hw_desc_platform;
struct spdm_cert_set;

/*
 * Run by hw_platform_create() once every function exists: attach the SPDM
 * firmware to DOE instance 0 of each function that has one. 0, -ENOMEM,
 * or the errno of a failed attach (-EBUSY: a responder is already there).
 */
int hw_security_platform_init(struct hw_platform *p);
/*
 * Same, honouring each function's `spdm:` options of the description the
 * platform was built from (struct hw_desc_spdm): algorithms and versions
 * offered, a certificate chain and key from PEM files, or an external
 * responder reached over the SPDM socket protocol (proto/spdm/
 * spdm_socket.h) to which the mailbox forwards every CMA object, the way
 * QEMU's spdm-socket backend does (connected on first use; a failed
 * exchange is a DOE Error and the next request reconnects). desc NULL:
 * all defaults.
 */
int hw_security_platform_init_desc(struct hw_platform *p, const struct hw_desc_platform *desc);

/*
 * A device identity from PEM files (spdm_pem.c): chain_path holds exactly
 * three certificates in SPDM order (root CA, intermediate CA, leaf) and
 * key_path the leaf's private key (ECDSA P-256 or P-384, or RSA-3072).
 * On success *out owns them (root_key and inter_key stay NULL) and *asym
 * is the SPDM_ASYM_* mask the key signs with (spdm_key_asym(): both RSA
 * paddings for an RSA key). On failure a one-line reason goes to why:
 * -ENOENT/-EACCES unreadable file, -EINVAL not the expected PEM content,
 * -EKEYREJECTED key does not match the leaf.
 */
int hw_spdm_load_pem(const char *chain_path, const char *key_path, struct spdm_cert_set **out,
		     uint32_t *asym, char *why, size_t whylen);

/*
 * The platform vendor's root CA certificate in PEM, the way a vendor
 * publishes it for relying parties (this is what the kernel side's default
 * trust store is configured from; it never sees hw structs). *pem is
 * NUL-terminated, *len excludes the NUL; free with free(). -ENODEV when no
 * function carries SPDM firmware, -EIO/-ENOMEM.
 */
int hw_platform_root_ca_pem(struct hw_platform *p, char **pem, size_t *len);

/*
 * Interposer on a device's DOE path (tests and fault injection, like a
 * protocol analyser on the link): sees every CMA request object before the
 * firmware and every response object before it is posted, header
 * included, and may change the payload bytes in place. Returning
 * HW_SPDM_TAP_DROP swallows a response: the mailbox stays Busy forever (a
 * stalled responder). fn NULL removes the tap. -ENODEV if dev has no SPDM
 * firmware.
 */
#define HW_SPDM_TAP_PASS	0
#define HW_SPDM_TAP_DROP	1
typedef int (*hw_spdm_tap_fn)(void *arg, bool response, uint32_t *dw, size_t n);
int hw_spdm_set_tap(struct hw_platform *p, struct hw_pcidev *dev, hw_spdm_tap_fn fn,
		    void *arg);

/*
 * IDE and TDISP (docs/ide-tdisp.md): a function with both the built-in
 * responder and an IDE capability also runs an IDE engine, an IDE_KM
 * responder and a TDISP device behind its SPDM sessions. They are built
 * with the responder (first SPDM request), and every config write the
 * function accepts is checked against the TDI's configuration lock
 * (PCIe r6.2 §11.2.3) through a shim on the function's model hooks.
 *
 * Observers for tests and tools, like a logic analyser: the TDI's
 * TDISP_STATE_*, or a stream's PCI_IDE_STATE_* (-ENOENT unknown stream).
 * -ENODEV: no such firmware, or not built yet.
 */
int hw_spdm_tdisp_state(struct hw_platform *p, struct hw_pcidev *dev);
int hw_spdm_ide_stream_state(struct hw_platform *p, struct hw_pcidev *dev, uint8_t stream_id);

#endif /* PCILAB_HW_SECURITY_H */
