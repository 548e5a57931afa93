//! Process hygiene for the SDK child.
//!
//! Why unsafe: `prctl(PR_SET_PDEATHSIG)` is a raw system call without a safe wrapper in std.
#![allow(unsafe_code)]

/// Asks the kernel to SIGKILL this process when its parent dies (Linux). The SDK child's
/// parent notices a hang and kills the child itself, but a parent killed with -9 cannot:
/// without this, a child stuck inside the library would outlive it forever. Returns false
/// when the parent is already gone (or on other systems, where nothing is done).
pub fn die_with_parent(expected_parent: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and touches no memory.
        let rc = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        // The parent may have died before the prctl: then our parent is now someone else.
        rc == 0 && std::os::unix::process::parent_id() == expected_parent
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = expected_parent;
        true
    }
}
