package record

// SealBytes seals content exactly as given, as the first records' untyped
// content was sealed, so that tests can hold such records.
var SealBytes = sealBytes

// PurgeIn is Purge with batches of the given size.
var PurgeIn = purge
