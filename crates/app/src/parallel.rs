//! Work over many independent items on every core, through rayon's one pool: the items cut
//! into runs (a few per worker, so one slow run does not hold the rest back), each with the
//! index of its first item. Collected, the results come back in the items' order; a panic in
//! a worker is resumed on the caller's thread.

use rayon::prelude::*;

/// Each run of `items` with `offset`, the index of its first item, as a parallel iterator.
pub fn runs<T: Sync>(items: &[T]) -> impl IndexedParallelIterator<Item = (usize, &[T])> {
    let per = items
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(1);
    items
        .par_chunks(per)
        .enumerate()
        .map(move |(n, run)| (n * per, run))
}

#[cfg(test)]
mod tests {
    use rayon::prelude::*;

    #[test]
    fn every_item_once_in_order_with_its_offset() {
        let items: Vec<usize> = (0..1001).collect();
        let seen: Vec<usize> = super::runs(&items)
            .map(|(offset, run)| {
                run.iter()
                    .enumerate()
                    .map(|(k, x)| {
                        assert_eq!(offset + k, *x);
                        *x
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(seen, items);
        assert_eq!(super::runs(&[] as &[u8]).count(), 0);
    }
}
