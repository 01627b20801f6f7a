package policy

// Settlement statements (DOMAIN §4.1, §4.2+, §2.2.1). The scope of a
// statement is its agreement's: Own to the people of the two parties. The
// provider generates, submits and answers disputes; the vendor disputes
// lines and approves. These rules join the table in init so that the
// settlement area keeps its grants in one file.
const (
	// SettlementRead: statements, their lines and totals.
	SettlementRead Action = "settlement.read"
	// SettlementPrepare: generate and regenerate a draft, submit it, and
	// answer the vendor's disputes (the provider's admin).
	SettlementPrepare Action = "settlement.prepare"
	// SettlementReview: dispute a line, approve (the vendor's admin).
	// The provider's admin records its invoice under SettlementPrepare.
	SettlementReview Action = "settlement.review"
	// SettlementPay: record a payment of an approved statement (the
	// vendor's admin).
	SettlementPay Action = "settlement.pay"
	// SuspensionRead: the provider's suspensions of service for non-payment
	// under an agreement: both parties' offices see them (§2.2.1).
	SuspensionRead Action = "suspension.read"
	// SuspensionGive: give notice of a suspension for non-payment, and lift
	// it (the provider's admin).
	SuspensionGive Action = "suspension.give"
)

func init() {
	rules[SettlementRead] = grant{VendorAdmin: {Own}, VendorAuditor: {Own}, ProviderAdmin: {Own}}
	rules[SettlementPrepare] = grant{ProviderAdmin: {Own}}
	rules[SettlementReview] = grant{VendorAdmin: {Own}}
	rules[SettlementPay] = grant{VendorAdmin: {Own}}
	rules[SuspensionRead] = grant{VendorAdmin: {Own}, VendorAuditor: {Own}, ProviderAdmin: {Own}, Dispatcher: {Own}}
	rules[SuspensionGive] = grant{ProviderAdmin: {Own}}
}
