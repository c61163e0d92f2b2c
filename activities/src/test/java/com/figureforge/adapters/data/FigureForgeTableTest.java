package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

class FigureForgeTableTest {

    private final DynamoDbClient dynamo = TestDynamo.client();

    @Test
    void createIfMissingCreatesTheTableOnceAndIsANoOpAfterwards() {
        String name = "table-" + UUID.randomUUID();

        assertThat(FigureForgeTable.createIfMissing(dynamo, name)).isTrue();
        assertThat(FigureForgeTable.createIfMissing(dynamo, name)).isFalse();

        TableDescription table = dynamo.describeTable(b -> b.tableName(name)).table();
        assertThat(table.tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(table.keySchema())
                .extracting(k -> k.attributeName())
                .containsExactly(FigureForgeTable.PK, FigureForgeTable.SK);
        assertThat(table.globalSecondaryIndexes())
                .extracting(GlobalSecondaryIndexDescription::indexName)
                .containsExactlyInAnyOrder(FigureForgeTable.GSI1, FigureForgeTable.GSI2);
    }

    @Test
    void concurrentCreateIfMissingCreatesExactlyOneTable() throws Exception {
        String name = "table-" + UUID.randomUUID();

        List<Boolean> created = Race.run(4, i -> FigureForgeTable.createIfMissing(dynamo, name));

        assertThat(created).containsOnlyOnce(true);
        assertThat(dynamo.listTables().tableNames()).containsOnlyOnce(name);
    }
}
