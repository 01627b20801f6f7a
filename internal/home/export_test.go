package home

// CustomerOpen is the customer's home query, for its plan's test.
const CustomerOpen = customerOpen
