// Package primitive holds the data types shared by producers and consumers:
// messages, queues, results, errors, contexts and interceptors. Its exported
// names and fields are those of rocketmq-client-go v2's primitive package.
//
// Differences from v2: Message.Compress and Message.CompressedBody are
// ignored on send (the library compresses bodies above the producer's
// threshold itself); errors returned by clients are *Error values that
// unwrap to MQBrokerErr, *RemotingErr or a sentinel of the errors package.
package primitive
