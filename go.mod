module github.com/briefcasehq/briefcase

go 1.26

require github.com/google/uuid v1.6.0

require github.com/matryer/is v1.4.1 // indirect
