package com.pyerp.realtime.infra;

import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

/**
 * The deployable stack: one {@link RealtimeGateway}, an SNS topic its alarms notify (with an e-mail subscription when
 * {@code alarmEmail} is given), and the outputs a client and an ERP service need.
 */
public final class RealtimeGatewayStack extends Stack {
    /** Output keys (also in the README). */
    public static final String OUT_WSS_URL = "WebSocketUrl";

    public static final String OUT_CONNECTIONS_URL = "ConnectionsUrl";
    public static final String OUT_BUS_NAME = "EventBusName";
    public static final String OUT_BUS_ARN = "EventBusArn";
    public static final String OUT_DASHBOARD = "DashboardName";
    public static final String OUT_ALARM_TOPIC = "AlarmTopicArn";

    private final RealtimeGateway gateway;
    private final Topic alarmTopic;

    /**
     * @param gatewayProps the gateway's props, not yet built: the stack sets its alarm topic, then builds them
     * @param alarmEmail   subscribed to the alarm topic when not null (the address confirms by e-mail)
     */
    public RealtimeGatewayStack(
            Construct scope,
            String id,
            StackProps stackProps,
            RealtimeGatewayProps.Builder gatewayProps,
            String alarmEmail) {
        super(scope, id, stackProps);
        alarmTopic = Topic.Builder.create(this, "AlarmTopic")
                .displayName("pyERP realtime alarms")
                .enforceSsl(true)
                .build();
        if (alarmEmail != null && !alarmEmail.isBlank())
            alarmTopic.addSubscription(new EmailSubscription(alarmEmail.trim()));
        RealtimeGatewayProps props = gatewayProps.alarmTopic(alarmTopic).build();
        gateway = new RealtimeGateway(this, "Gateway", props);

        output(OUT_WSS_URL, gateway.webSocketUrl(), "what browsers connect to: new WebSocket(url, [\"erp.v1\", jwt])");
        output(
                OUT_CONNECTIONS_URL,
                gateway.connectionsUrl(),
                "the @connections endpoint: POST/GET/DELETE /{connectionId} (SigV4)");
        output(OUT_BUS_NAME, gateway.events().bus().getEventBusName(), "where ERP services PutEvents");
        output(
                OUT_BUS_ARN,
                gateway.events().bus().getEventBusArn(),
                "for events:PutEvents permissions of the ERP services");
        output(
                OUT_DASHBOARD,
                gateway.monitoring().dashboard().getDashboardName(),
                "CloudWatch dashboard of the gateway");
        output(OUT_ALARM_TOPIC, alarmTopic.getTopicArn(), "SNS topic the alarms notify");
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }

    public RealtimeGateway gateway() {
        return gateway;
    }

    public Topic alarmTopic() {
        return alarmTopic;
    }
}
