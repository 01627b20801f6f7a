package web

import "aftersales/internal/policy"

// partnerCounts reports whether a role's home counts the organizations it
// works with: the admins and auditors who manage them; a technician or a
// customer sees none of them, and a zero would only mislead.
func partnerCounts(r policy.Role) bool {
	return r == policy.VendorAdmin || r == policy.VendorAuditor || r == policy.ProviderAdmin
}
