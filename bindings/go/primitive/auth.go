package primitive

// Credentials are ACL credentials.
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
}

// IsEmpty reports whether no key is set.
func (c Credentials) IsEmpty() bool {
	return c.AccessKey == "" || c.SecretKey == ""
}
