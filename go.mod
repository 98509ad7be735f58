module riskwalk

go 1.26
