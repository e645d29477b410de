/* mach.h — Mach virtual-memory calls of the mmulab kernel (OSF Mach man pages: vm_allocate, vm_deallocate,
 * vm_protect, vm_inherit, vm_read, vm_write, vm_copy, vm_region; mach_task_self).
 *
 * They are system calls numbered from MACH_SYSCALL_BASE (0x1000), far above Linux's riscv64 table (which ends
 * below 0x200), made with ecall like the Linux ones: a7 = number, a0..a5 = arguments, a0 = kern_return_t (or the
 * port name for mach_task_self). Out-of-line data (vm_read) is mapped into the caller as a copy-on-write copy.
 * A task port name is the task's pid; any live task may be named (there are no port rights to check).
 * These calls do not exist under Linux or qemu-user: there, every one returns -ENOSYS. */
#ifndef MMULAB_MACH_H
#define MMULAB_MACH_H

#include <stdint.h>

typedef int kern_return_t;
typedef uint64_t mach_port_t;
typedef uint64_t vm_address_t;
typedef uint64_t vm_size_t;
typedef uint64_t vm_offset_t;
typedef int vm_prot_t;
typedef unsigned vm_inherit_t;
typedef int boolean_t;

#define KERN_SUCCESS             0
#define KERN_INVALID_ADDRESS     1   /* the range is not (entirely) allocated, or outside the address space */
#define KERN_PROTECTION_FAILURE  2   /* beyond the maximum protection, or the region is not readable/writable */
#define KERN_NO_SPACE            3   /* no free range of that size, or the fixed range is in use */
#define KERN_INVALID_ARGUMENT    4   /* a bad task, protection, inheritance or out-parameter */

#define VM_PROT_NONE     0
#define VM_PROT_READ     1
#define VM_PROT_WRITE    2
#define VM_PROT_EXECUTE  4
#define VM_PROT_DEFAULT  (VM_PROT_READ | VM_PROT_WRITE)
#define VM_PROT_ALL      (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

#define VM_INHERIT_SHARE 0
#define VM_INHERIT_COPY  1
#define VM_INHERIT_NONE  2

/* vm_region's description of a region (after VM_REGION_BASIC_INFO). */
struct vm_region_basic_info {
    vm_prot_t protection;
    vm_prot_t max_protection;
    vm_inherit_t inheritance;
    boolean_t shared;            /* the region's memory object is shared with another task */
    vm_offset_t offset;          /* offset of the region in its memory object */
};

#define MACH_SYSCALL_BASE   0x1000
#define MACH_task_self      (MACH_SYSCALL_BASE + 0)
#define MACH_vm_allocate    (MACH_SYSCALL_BASE + 1)
#define MACH_vm_deallocate  (MACH_SYSCALL_BASE + 2)
#define MACH_vm_protect     (MACH_SYSCALL_BASE + 3)
#define MACH_vm_inherit     (MACH_SYSCALL_BASE + 4)
#define MACH_vm_read        (MACH_SYSCALL_BASE + 5)
#define MACH_vm_write       (MACH_SYSCALL_BASE + 6)
#define MACH_vm_copy        (MACH_SYSCALL_BASE + 7)
#define MACH_vm_region      (MACH_SYSCALL_BASE + 8)

static inline long mach_syscall(long n, long a, long b, long c, long d, long e)
{
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7) : "memory");
    return a0;
}

static inline mach_port_t mach_task_self(void) { return (mach_port_t)mach_syscall(MACH_task_self, 0, 0, 0, 0, 0); }

/* anywhere: pick a free range and store its address in *address; otherwise allocate exactly at *address. */
static inline kern_return_t vm_allocate(mach_port_t task, vm_address_t *address, vm_size_t size, boolean_t anywhere)
{ return (kern_return_t)mach_syscall(MACH_vm_allocate, (long)task, (long)address, (long)size, anywhere, 0); }

static inline kern_return_t vm_deallocate(mach_port_t task, vm_address_t address, vm_size_t size)
{ return (kern_return_t)mach_syscall(MACH_vm_deallocate, (long)task, (long)address, (long)size, 0, 0); }

static inline kern_return_t vm_protect(mach_port_t task, vm_address_t address, vm_size_t size, boolean_t set_maximum,
                                       vm_prot_t new_protection)
{ return (kern_return_t)mach_syscall(MACH_vm_protect, (long)task, (long)address, (long)size, set_maximum, new_protection); }

static inline kern_return_t vm_inherit(mach_port_t task, vm_address_t address, vm_size_t size, vm_inherit_t inh)
{ return (kern_return_t)mach_syscall(MACH_vm_inherit, (long)task, (long)address, (long)size, (long)inh, 0); }

/* Maps a copy-on-write copy of task's [address, address + size) into the caller: *data, *count. */
static inline kern_return_t vm_read(mach_port_t task, vm_address_t address, vm_size_t size, vm_address_t *data,
                                    vm_size_t *count)
{ return (kern_return_t)mach_syscall(MACH_vm_read, (long)task, (long)address, (long)size, (long)data, (long)count); }

/* Overwrites task's [address, address + count) with the caller's data (page-aligned: by reference). */
static inline kern_return_t vm_write(mach_port_t task, vm_address_t address, vm_address_t data, vm_size_t count)
{ return (kern_return_t)mach_syscall(MACH_vm_write, (long)task, (long)address, (long)data, (long)count, 0); }

/* Copies [source, source + size) to dest within task, copy-on-write (page-aligned). */
static inline kern_return_t vm_copy(mach_port_t task, vm_address_t source, vm_size_t size, vm_address_t dest)
{ return (kern_return_t)mach_syscall(MACH_vm_copy, (long)task, (long)source, (long)size, (long)dest, 0); }

/* The first region at or above *address: its start in *address, its size and a description. */
static inline kern_return_t vm_region(mach_port_t task, vm_address_t *address, vm_size_t *size,
                                      struct vm_region_basic_info *info)
{ return (kern_return_t)mach_syscall(MACH_vm_region, (long)task, (long)address, (long)size, (long)info, 0); }

#endif
