package consumer

import (
	"fmt"

	"github.com/librocketmq/librocketmq/bindings/go/primitive"
)

// CreateReplyMessage builds the reply to a request message (for the
// request-reply pattern): it goes to the cluster's reply topic with the
// request's correlation id. Sending it needs a library that accepts the
// reply properties, which librocketmq's C API reserves: SendSync of it fails.
func CreateReplyMessage(requestMessage *primitive.MessageExt, body []byte) (*primitive.Message, error) {
	if requestMessage == nil {
		return nil, fmt.Errorf("create reply message fail, requestMessage cannot be null")
	}
	cluster := requestMessage.GetProperty(primitive.PropertyCluster)
	if cluster == "" {
		return nil, fmt.Errorf("create reply message fail, requestMessage error, property[\"%s\"] is null",
			primitive.PropertyCluster)
	}
	reply := primitive.NewMessage(cluster+"_REPLY_TOPIC", body)
	reply.WithProperty(primitive.PropertyMsgType, "reply")
	reply.WithProperty(primitive.PropertyCorrelationID, requestMessage.GetProperty(primitive.PropertyCorrelationID))
	reply.WithProperty(primitive.PropertyMessageReplyToClient, requestMessage.GetProperty(primitive.PropertyMessageReplyToClient))
	reply.WithProperty(primitive.PropertyMessageTTL, requestMessage.GetProperty(primitive.PropertyMessageTTL))
	return reply, nil
}

// GetReplyToClient returns the client id a request's reply goes to.
func GetReplyToClient(msg *primitive.MessageExt) string {
	return msg.GetProperty(primitive.PropertyMessageReplyToClient)
}
