//! Work over many independent items on every core: the items are cut into one run per core
//! (at most eight), each run handed to a scoped thread, and the results come back in the
//! items' order. A panic in a worker is resumed on the caller's thread.

/// `work(offset, run)` for each run of `items` (`offset`: the index of the run's first item),
/// on every core; the results in order.
pub fn runs<T: Sync, R: Send>(items: &[T], work: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let per_thread = items.len().div_ceil(threads).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(per_thread)
            .enumerate()
            .map(|(n, run)| scope.spawn(move || work(n * per_thread, run)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_once_in_order_with_its_offset() {
        let items: Vec<usize> = (0..1001).collect();
        let seen: Vec<usize> = super::runs(&items, |offset, run| {
            run.iter()
                .enumerate()
                .map(|(k, x)| {
                    assert_eq!(offset + k, *x);
                    *x
                })
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect();
        assert_eq!(seen, items);
        assert!(super::runs(&[] as &[u8], |_, r| r.len()).is_empty());
    }
}
