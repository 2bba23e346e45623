package com.pyerp.realtime.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.lang.reflect.Modifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each function's handler string names a class of the deployment jar that Lambda can load and call: a public class
 * with a public no-argument constructor, implementing the Lambda handler interface whose method the string names. A
 * renamed or moved handler fails here, not at the first invocation in the cloud.
 */
class HandlerClassesTest {

    @ParameterizedTest
    @EnumSource(GatewayFunction.class)
    void handlerString_namesALoadableLambdaHandler(GatewayFunction f) throws Exception {
        String[] parts = f.handler().split("::");
        assertThat(parts).as(f.handler()).hasSize(2);

        Class<?> type = Class.forName(parts[0], false, getClass().getClassLoader());

        assertThat(Modifier.isPublic(type.getModifiers()))
                .as(type + " is public")
                .isTrue();
        assertThat(Modifier.isPublic(type.getConstructor().getModifiers())).isTrue();
        assertThat(RequestHandler.class.isAssignableFrom(type) || RequestStreamHandler.class.isAssignableFrom(type))
                .as(type + " implements RequestHandler or RequestStreamHandler")
                .isTrue();
        boolean hasMethod = false;
        for (var m : type.getMethods()) {
            hasMethod |= m.getName().equals(parts[1])
                    && m.getParameterCount() >= 2
                    && m.getParameterTypes()[m.getParameterCount() - 1] == Context.class;
        }
        assertThat(hasMethod).as(type + " has " + parts[1] + "(…, Context)").isTrue();
    }
}
