package ontap

import "fmt"

// ParseRESTVersion is [ParseVersion] for a release a REST client can talk
// to: ONTAP has a REST API only from 9.6. The server and the daemon's
// configuration both check a configured version with it, so whatever one
// accepts the other does too ("9.16.1", "9.16.1P6").
func ParseRESTVersion(s string) (*Version, error) {
	v, err := ParseVersion(s)
	if err != nil {
		return nil, err
	}
	if *v.Generation < 9 || *v.Generation == 9 && *v.Major < 6 {
		return nil, fmt.Errorf("ontap version %q: ONTAP has a REST API only from 9.6.0", s)
	}
	return v, nil
}
