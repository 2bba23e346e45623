package com.pyerp.realtime.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default app's stack, synthesized once per test JVM (jsii and synthesis are slow) and shared by the template
 * tests: the app's own wiring ({@link RealtimeGatewayApp#stack}) with cdk.json's context, cdk-nag AwsSolutionsChecks
 * applied, and the Lambda code pointed at {@link #TEMPLATE_TEST_JAR} instead of the real functions jar.
 */
final class Synth {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * A placeholder zip standing in for the functions jar in template tests ONLY (a synthesized template references
     * its hash, nothing runs it). The real jar is built by functions/lambda and used by cdk synth / deploy.
     */
    static final Path TEMPLATE_TEST_JAR = createTemplateTestJar();

    private static RealtimeGatewayStack stack;
    private static Template template;
    private static Annotations annotations;

    private Synth() {}

    static synchronized RealtimeGatewayStack stack() {
        if (stack == null) {
            try {
                Map<String, Object> ctx = new LinkedHashMap<>(RealtimeGatewayApp.cdkJsonContext(Path.of("cdk.json")));
                ctx.put("lambdaJar", TEMPLATE_TEST_JAR.toString());
                App app = new App(AppProps.builder().context(ctx).build());
                RealtimeGatewayStack s = RealtimeGatewayApp.stack(app);
                Aspects.of(app)
                        .add(new AwsSolutionsChecks(
                                NagPackProps.builder().verbose(true).build()));
                template = Template.fromStack(s);
                annotations = Annotations.fromStack(s);
                stack = s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return stack;
    }

    static Template template() {
        stack();
        return template;
    }

    static Annotations annotations() {
        stack();
        return annotations;
    }

    static RealtimeGateway gateway() {
        return stack().gateway();
    }

    /** The template as a Jackson tree, for comparisons Match cannot express (exact statement sets, parsed JSON). */
    static JsonNode json(Template t) {
        return JSON.valueToTree(t.toJSON());
    }

    /** A Java value (maps, lists, strings, numbers) as a Jackson tree, to compare with a template node. */
    static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    /** The logical id of a construct's CloudFormation resource. */
    static String logicalId(IConstruct c) {
        IConstruct cfn = c instanceof CfnElement ? c : c.getNode().getDefaultChild();
        Stack s = Stack.of(c);
        return (String) s.resolve(s.getLogicalId((CfnElement) cfn));
    }

    static Map<String, Object> ref(IConstruct c) {
        return Map.of("Ref", logicalId(c));
    }

    /**
     * The {@code Fn::Join} CDK synthesises for an ARN of the gateway's WebSocket API ({@code api}):
     * {@code arn:<partition>:execute-api:<region>:<account>:<api id><suffix>}.
     */
    static Map<String, Object> executeApiArn(IConstruct api, String suffix) {
        return Map.of(
                "Fn::Join",
                List.of(
                        "",
                        List.of(
                                "arn:",
                                Map.of("Ref", "AWS::Partition"),
                                ":execute-api:",
                                Map.of("Ref", "AWS::Region"),
                                ":",
                                Map.of("Ref", "AWS::AccountId"),
                                ":",
                                ref(api),
                                suffix)));
    }

    static Map<String, Object> arn(IConstruct c) {
        return Map.of("Fn::GetAtt", List.of(logicalId(c), "Arn"));
    }

    private static Path createTemplateTestJar() {
        try {
            Path dir = Files.createTempDirectory("infra-cdk-template-test");
            Path jar = dir.resolve("template-test-placeholder-lambda.jar");
            try (OutputStream out = Files.newOutputStream(jar);
                    ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry("PLACEHOLDER.txt"));
                zip.write("Placeholder for infra-cdk template tests; not a Lambda deployment package.\n"
                        .getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            dir.toFile().deleteOnExit();
            jar.toFile().deleteOnExit();
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
