module github.com/librocketmq/librocketmq/bindings/go

go 1.21
