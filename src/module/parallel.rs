//! Work over a module's functions on several threads (large modules only):
//! checking bodies at load, and `Module::translate_all`.

use crate::core::Error;

/// Modules at least this large (in bytes) are worked on by several threads;
/// below it, threads cost more than they save.
const PARALLEL_BYTES: usize = 256 << 10;

/// Consecutive items one thread takes at a time: neighbouring items
/// (`FuncCode`s) share cache lines, so single items dealt round-robin were
/// slower.
const BLOCK: usize = 64;

/// Threads for a module of `module_len` bytes: 1 below `PARALLEL_BYTES`,
/// else the available parallelism, at most 8.
pub(crate) fn threads_for(module_len: usize) -> usize {
    if module_len < PARALLEL_BYTES {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// `f(state, i)` for every `i` in `0..n`, on up to `threads` threads (the
/// caller's among them), each taking every `threads`-th block of `BLOCK`
/// items in order with its own `state` from `init`. Returns the results in
/// order, or the error of the lowest failing `i` (each thread stops at its
/// first failure, so the lowest of those is the first overall).
pub(crate) fn map_in_blocks<S, T: Send>(
    n: usize,
    threads: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, usize) -> Result<T, Error> + Sync,
) -> Result<Vec<T>, Error> {
    let threads = threads.min(n.div_ceil(BLOCK)).max(1);
    let share = |first: usize| -> Result<Vec<(usize, T)>, (usize, Error)> {
        let mut state = init();
        (first * BLOCK..n)
            .step_by(threads * BLOCK)
            .flat_map(|start| start..(start + BLOCK).min(n))
            .map(|i| f(&mut state, i).map(|t| (i, t)).map_err(|e| (i, e)))
            .collect()
    };
    let shares: Vec<_> = if threads == 1 {
        vec![share(0)]
    } else {
        std::thread::scope(|scope| {
            let share = &share;
            let workers: Vec<_> = (1..threads).map(|w| scope.spawn(move || share(w))).collect();
            let mut shares = vec![share(0)];
            for worker in workers {
                shares.push(
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            shares
        })
    };
    let mut first_error: Option<(usize, Error)> = None;
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for share in shares {
        match share {
            Ok(items) => {
                for (i, t) in items {
                    slots[i] = Some(t);
                }
            }
            Err((i, e)) => {
                if first_error.as_ref().is_none_or(|(first, _)| i < *first) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    if let Some((_, e)) = first_error {
        return Err(e);
    }
    let results: Vec<T> = slots.into_iter().flatten().collect();
    if results.len() != n {
        return Err(Error::invalid("internal: an item was not worked on", None));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::map_in_blocks;
    use crate::core::Error;

    #[test]
    fn results_keep_their_order_and_the_first_error_wins() {
        for threads in [1, 2, 3] {
            let squares = map_in_blocks(1000, threads, || (), |_, i| Ok(i * i)).expect("no error");
            assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<_>>());
            let failing = |_: &mut (), i: usize| match i {
                700 | 130 | 999 => Err(Error::invalid(format!("item {i}"), None)),
                _ => Ok(i),
            };
            let err = map_in_blocks(1000, threads, || (), failing).unwrap_err();
            assert_eq!(err, Error::invalid("item 130", None), "{threads} threads");
        }
    }
}
